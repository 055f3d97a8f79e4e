/** Seeded randomness and one-pass reservoir sampling for streams far bigger than memory. */

export type Seed = number | string;

/** 32-bit FNV-1a of a string: turns string seeds into PRNG state. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic uniform [0, 1) generator (mulberry32). */
export function seededRandom(seed: Seed): () => number {
  let a = (typeof seed === "number" ? Math.trunc(seed) : fnv1a(seed)) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A uniform sample of k items from a stream of unknown length (Algorithm R): memory is O(k)
 * whatever the stream's length, and the same seed and stream give the same sample.
 */
export class Reservoir<T> {
  private readonly rand: () => number;
  private readonly kept: { item: T; index: number }[] = [];
  private seen = 0;

  constructor(
    private readonly k: number,
    seed: Seed,
  ) {
    this.rand = seededRandom(seed);
  }

  add(item: T): void {
    if (this.seen < this.k) this.kept.push({ item, index: this.seen });
    else {
      const j = Math.floor(this.rand() * (this.seen + 1));
      if (j < this.k) this.kept[j] = { item, index: this.seen };
    }
    this.seen++;
  }

  addAll(items: Iterable<T>): void {
    for (const x of items) this.add(x);
  }

  /** Items offered so far. */
  get count(): number {
    return this.seen;
  }

  /** The sample, in stream order. */
  items(): T[] {
    return [...this.kept].sort((a, b) => a.index - b.index).map((x) => x.item);
  }
}

/** `Reservoir` over an async stream; the stream is always drained (its statistics complete). */
export async function reservoirSample<T>(items: AsyncIterable<T>, k: number, seed: Seed): Promise<T[]> {
  const r = new Reservoir<T>(Math.max(0, k), seed);
  for await (const item of items) r.add(item);
  return r.items();
}
