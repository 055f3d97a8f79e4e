/**
 * Topical similarity between texts and a benchmark: TF-IDF with sublinear term frequency,
 * L2-normalised documents, compared by the cosine of their centroids.
 *
 * Why centroids: a source is relevant when its records talk about what the benchmark talks
 * about on average; one lucky near-duplicate should not make an off-domain source look good,
 * and centroids are cheap (one pass, one sparse vector per side).
 *
 * Why balanced IDF: document frequencies are taken as rates per side, and a term's rate is
 * the larger of them, so a 2,000-record source sample does not drown 3 benchmark examples, and
 * a term found on (nearly) every record of either side - a template ("Answer the following
 * question"), a field label - weighs least. Measured on the shared tasks, the max of the rates
 * separates in-domain from off-domain sources better than their mean. A short English
 * stop-word list removes function words, which matters when there are only a handful of
 * benchmark examples to learn IDF from.
 */
import { tokens } from "./text.js";

export type SparseVector = Map<string, number>;

// Function words only: domain words ("question", "answer", "how") are left to IDF.
const STOP_WORDS = new Set(
  (
    "a an the and or but if then else of to in on at by for with from as into onto upon about over under " +
    "is are was were be been being am do does did done have has had having will would shall should can could may might must " +
    "i me my we us our you your he him his she her it its they them their this that these those there here " +
    "what which who whom whose when where why not no nor so than too very just also only own same such both each " +
    "all any few more most other some s t d ll m re ve"
  ).split(" "),
);

/** Tokens that carry topic: normalised words minus stop words. */
export function topicTokens(text: string): string[] {
  return tokens(text).filter((t) => !STOP_WORDS.has(t));
}

/** Term counts of one document. */
function termCounts(toks: string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const t of toks) tf.set(t, (tf.get(t) ?? 0) + 1);
  return tf;
}

/** Document frequencies of a set of documents (each document counted once per term). */
function documentFrequencies(docs: Map<string, number>[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of d.keys()) df.set(t, (df.get(t) ?? 0) + 1);
  return df;
}

function norm(v: SparseVector): number {
  let s = 0;
  for (const x of v.values()) s += x * x;
  return Math.sqrt(s);
}

/** Cosine of two sparse vectors (0 when either is empty). */
export function cosine(a: SparseVector, b: SparseVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [t, x] of small) {
    const y = large.get(t);
    if (y !== undefined) dot += x * y;
  }
  const n = norm(a) * norm(b);
  return n === 0 ? 0 : Math.min(1, Math.max(0, dot / n));
}

/**
 * IDF learnt from one or more document sets. With several sets, each term's document frequency
 * is the largest of its per-set rates, so every set weighs the same whatever its size.
 */
export class TfIdf {
  private readonly idf = new Map<string, number>();
  /** Weight of a term never seen while fitting: as rare as possible. */
  private readonly unseen: number;

  constructor(docSets: string[][]) {
    const sets = docSets.filter((s) => s.length > 0).map((s) => s.map((d) => termCounts(topicTokens(d))));
    const rates = new Map<string, number>();
    for (const set of sets) {
      for (const [t, df] of documentFrequencies(set)) rates.set(t, Math.max(rates.get(t) ?? 0, df / set.length));
    }
    // Smoothed like sklearn's idf (ln((1+N)/(1+df)) + 1) with rates instead of counts, so a term
    // found in every document still counts a little: with 3 benchmark examples, the words they
    // all share are the task's words.
    const n = Math.max(1, ...sets.map((s) => s.length));
    const weight = (rate: number) => Math.log((1 + n) / (1 + rate * n)) + 1;
    for (const [t, rate] of rates) this.idf.set(t, weight(rate));
    this.unseen = weight(0);
  }

  weight(term: string): number {
    return this.idf.get(term) ?? this.unseen;
  }

  /** L2-normalised TF-IDF vector of a text (sublinear term frequency). */
  vector(text: string): SparseVector {
    const v: SparseVector = new Map();
    for (const [t, c] of termCounts(topicTokens(text))) v.set(t, (1 + Math.log(c)) * this.weight(t));
    const n = norm(v);
    if (n > 0) for (const [t, x] of v) v.set(t, x / n);
    return v;
  }

  /** Mean of the normalised vectors of several texts. */
  centroid(texts: string[]): SparseVector {
    const c: SparseVector = new Map();
    for (const text of texts) for (const [t, x] of this.vector(text)) c.set(t, (c.get(t) ?? 0) + x);
    if (texts.length > 0) for (const [t, x] of c) c.set(t, x / texts.length);
    return c;
  }
}

/**
 * Topical similarity of two sets of texts in [0, 1]: the cosine of their TF-IDF centroids, IDF
 * balanced over both sets. Used for a source sample against the benchmark examples.
 */
export function cosineSimilarity(textsA: string[], textsB: string[]): number {
  if (textsA.length === 0 || textsB.length === 0) return 0;
  const model = new TfIdf([textsA, textsB]);
  return cosine(model.centroid(textsA), model.centroid(textsB));
}

/**
 * Scores texts against fixed benchmark examples: fit once, then `score` single records
 * (task-fit of a training record) or `scoreSet` a whole sample (a source's relevance).
 * `background` texts (e.g. a source sample) only inform IDF, never the centroid.
 */
export class RelevanceModel {
  private readonly tfidf: TfIdf;
  private readonly target: SparseVector;

  constructor(
    readonly benchmarkTexts: string[],
    opts: { background?: string[] } = {},
  ) {
    this.tfidf = new TfIdf([benchmarkTexts, opts.background ?? []]);
    this.target = this.tfidf.centroid(benchmarkTexts);
  }

  /** Cosine of one text to the benchmark centroid (0..1). */
  score(text: string): number {
    return cosine(this.tfidf.vector(text), this.target);
  }

  /** Cosine of the centroid of several texts to the benchmark centroid (0..1). */
  scoreSet(texts: string[]): number {
    return texts.length ? cosine(this.tfidf.centroid(texts), this.target) : 0;
  }
}
