/**
 * Does an answer belong to its question? A well-formed answer moved to the wrong question (a
 * mis-joined recipe) passes every format check; what gives it away is that it shares no more
 * with its own question than with unrelated in-domain questions.
 *
 * Features are terms (no stopwords) and bigrams of consecutive terms, weighted by their IDF over
 * the benchmark inputs, so "frac 1" or "def" count for little and "natalia" or "x 6" for a lot.
 * grounding(A, Q) = weighted share of A's features found in Q. The answer fits when its own
 * question grounds it clearly better than distractors (benchmark inputs) do: the threshold adapts
 * to each task's vocabulary instead of being tuned per dataset.
 */
import { STOPWORDS, terms, numberWordDigits } from "./terms.js";

/** Unigrams (stopwords dropped) and bigrams of a text; `expandNumbers` adds digits for number words. */
export function pairingFeatures(text: string, expandNumbers = false): Set<string> {
  const ts = terms(text);
  const out = new Set<string>();
  for (const t of ts) {
    if (!STOPWORDS.has(t)) out.add(t);
    if (expandNumbers) {
      const d = numberWordDigits(t);
      if (d) out.add(d);
    }
  }
  for (let i = 1; i < ts.length; i++) out.add(`${ts[i - 1]} ${ts[i]}`);
  return out;
}

export interface PairingResult {
  /** False when the answer cannot tell (labels, letters, a bare year every table contains). */
  checkable: boolean;
  /** Why it is not checkable. */
  why?: string;
  own: number;
  /** 90th percentile of the distractors' grounding. */
  distractorP90: number;
  /** Share of distractors that ground the answer at least as well as its own question. */
  beatenBy: number;
  fits: boolean;
}

export interface PairingOptions {
  /** Fewest features an answer needs to be checked (default 3). */
  minFeatures?: number;
  /** The own question must beat the distractors' 90th percentile by this margin (default 0.01). */
  margin?: number;
  /** ...and be beaten by at most this share of distractors (default 0.1). */
  maxBeatenBy?: number;
  /** Distractors kept (default 60). */
  distractors?: number;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export class PairingIndex {
  private readonly df = new Map<string, number>();
  private readonly n: number;
  private readonly distractors: Set<string>[];
  private readonly opts: Required<PairingOptions>;

  /** `inputs`: benchmark inputs as text; they give the IDF weights and the distractors. */
  constructor(inputs: string[], opts: PairingOptions = {}) {
    this.opts = { minFeatures: 3, margin: 0.01, maxBeatenBy: 0.1, distractors: 60, ...opts };
    this.n = inputs.length;
    const feats = inputs.map((s) => pairingFeatures(s, true));
    for (const f of feats) for (const t of f) this.df.set(t, (this.df.get(t) ?? 0) + 1);
    // Evenly spread over the file, so distractors are not all from one topic block.
    const step = Math.max(1, Math.floor(this.n / this.opts.distractors));
    this.distractors = feats.filter((_, i) => i % step === 0).slice(0, this.opts.distractors);
  }

  weight(feature: string): number {
    return Math.log((this.n + 1) / ((this.df.get(feature) ?? 0) + 1));
  }

  private grounding(answer: Map<string, number>, question: Set<string>): number {
    let total = 0;
    let shared = 0;
    for (const [f, w] of answer) {
      total += w;
      if (question.has(f)) shared += w;
    }
    return total > 0 ? shared / total : 0;
  }

  check(answer: string, question: string): PairingResult {
    const weighted = new Map<string, number>();
    for (const f of pairingFeatures(answer)) {
      const w = this.weight(f);
      if (w > 0) weighted.set(f, w);
    }
    const own = this.grounding(weighted, pairingFeatures(question, true));
    const scores = this.distractors.map((d) => this.grounding(weighted, d)).sort((x, y) => x - y);
    const p90 = quantile(scores, 0.9);
    const beatenBy = scores.length ? scores.filter((s) => s >= own).length / scores.length : 0;
    const base = { own, distractorP90: p90, beatenBy };
    if (scores.length === 0) return { ...base, checkable: false, why: "no benchmark inputs to compare with", fits: true };
    if (weighted.size < this.opts.minFeatures) return { ...base, checkable: false, why: "answer too short to relate to its question", fits: true };
    // An answer most unrelated questions contain (a year, "yes") says nothing about its pairing.
    if (p90 >= 0.9) return { ...base, checkable: false, why: "answer terms are common to most benchmark inputs", fits: true };
    const fits = own >= p90 + this.opts.margin && beatenBy <= this.opts.maxBeatenBy;
    return { ...base, checkable: true, fits };
  }
}
