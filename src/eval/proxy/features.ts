/**
 * Hashed text features for the downstream proxy: word unigrams and bigrams plus character
 * 3-5-grams (inside word boundaries), hashed into 2^bits buckets, sublinear counts, L2-normed.
 * No vocabulary is kept, so any training set maps into the same space.
 */

export interface SparseVec {
  idx: Int32Array;
  val: Float32Array;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** 32-bit FNV-1a. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function words(text: string, max = 400): string[] {
  return (text.normalize("NFKC").toLowerCase().match(WORD) ?? []).slice(0, max);
}

export interface FeatureOptions {
  bits?: number;
  /** Char n-gram lengths (default 3..5); [] turns them off. */
  charN?: number[];
  bigrams?: boolean;
}

/** Feature strings of one text (before hashing), with a prefix so feature families never collide. */
export function featureStrings(text: string, prefix = "", opts: FeatureOptions = {}): string[] {
  const ws = words(text);
  const out: string[] = [];
  for (const w of ws) out.push(`${prefix}w:${w}`);
  if (opts.bigrams !== false) for (let i = 0; i + 1 < ws.length; i++) out.push(`${prefix}b:${ws[i]} ${ws[i + 1]}`);
  for (const n of opts.charN ?? [3, 4, 5]) {
    for (const w of ws) {
      const padded = ` ${w} `;
      for (let i = 0; i + n <= padded.length; i++) out.push(`${prefix}c${n}:${padded.slice(i, i + n)}`);
    }
  }
  return out;
}

/** FNV hashes of feature strings (computed once, then placed per candidate by `vectorize`). */
export function hashStrings(strings: string[]): Uint32Array {
  const out = new Uint32Array(strings.length);
  for (let i = 0; i < strings.length; i++) out[i] = fnv1a(strings[i]!);
  return out;
}

/** Moves a hash to a salt's own region of the space (a label's copy of a feature), with an avalanche step. */
function mix(h: number, salt: number): number {
  if (!salt) return h;
  let x = (h ^ Math.imul(salt, 0x9e3779b1)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Hashed features as a sparse, L2-normalised vector with sublinear (1 + ln tf) counts. A salt
 * (e.g. the hash of a label) gives the conjunction "feature AND label" without rebuilding strings.
 */
export function vectorize(hashes: Uint32Array | number[], bits = 18, salt = 0): SparseVec {
  const mask = (1 << bits) - 1;
  const counts = new Map<number, number>();
  for (const h0 of hashes) {
    const h = mix(h0, salt) & mask;
    counts.set(h, (counts.get(h) ?? 0) + 1);
  }
  const idx = new Int32Array(counts.size);
  const val = new Float32Array(counts.size);
  let i = 0;
  let norm = 0;
  for (const [h, c] of counts) {
    const v = 1 + Math.log(c);
    idx[i] = h;
    val[i] = v;
    norm += v * v;
    i++;
  }
  norm = Math.sqrt(norm) || 1;
  for (let j = 0; j < val.length; j++) val[j]! /= norm;
  return { idx, val };
}

/** Hashes feature strings into a sparse, L2-normalised vector. */
export function hashFeatures(strings: string[], bits = 18): SparseVec {
  return vectorize(hashStrings(strings), bits);
}

/** Concatenates sparse vectors (their weights kept as given: each part is normalised on its own). */
export function concat(...parts: SparseVec[]): SparseVec {
  const n = parts.reduce((s, p) => s + p.idx.length, 0);
  const idx = new Int32Array(n);
  const val = new Float32Array(n);
  let o = 0;
  for (const p of parts) {
    idx.set(p.idx, o);
    val.set(p.val, o);
    o += p.idx.length;
  }
  return { idx, val };
}
