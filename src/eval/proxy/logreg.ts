/**
 * Logistic regression as a conditional logit: every example offers candidates (the label set,
 * or a question's options), each with its own hashed feature vector, and the model picks the
 * candidate with the highest w·x. With candidates = (input features conjoined with the label)
 * this is ordinary multinomial logistic regression; with candidates = (question, option) pairs
 * it ranks options. Trained by seeded SGD with L2 on touched weights.
 */
import type { SparseVec } from "./features.js";
import { seededRandom } from "../../data/sample.js";

export interface Example {
  candidates: SparseVec[];
  /** Index of the right candidate. */
  gold: number;
}

export interface TrainOptions {
  bits?: number;
  epochs?: number;
  /** Initial learning rate; decays as lr / (1 + epoch). */
  lr?: number;
  l2?: number;
  seed?: number;
}

function dot(w: Float32Array, x: SparseVec): number {
  let s = 0;
  for (let i = 0; i < x.idx.length; i++) s += w[x.idx[i]!]! * x.val[i]!;
  return s;
}

export function softmax(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** The project's seeded generator; seed 0 maps to 1 as it always did here. */
function rng(seed: number): () => number {
  return seededRandom(seed >>> 0 || 1);
}

export class ConditionalLogit {
  readonly w: Float32Array;

  constructor(readonly bits = 18) {
    this.w = new Float32Array(1 << bits);
  }

  scores(candidates: SparseVec[]): number[] {
    return candidates.map((c) => dot(this.w, c));
  }

  predict(candidates: SparseVec[]): number {
    const s = this.scores(candidates);
    let best = 0;
    for (let i = 1; i < s.length; i++) if (s[i]! > s[best]!) best = i;
    return best;
  }

  /** One SGD pass per epoch over the examples, in a seeded random order. Returns the last epoch's mean loss. */
  fit(examples: Example[], opts: TrainOptions = {}): number {
    const epochs = opts.epochs ?? 5;
    const lr0 = opts.lr ?? 0.5;
    const l2 = opts.l2 ?? 1e-5;
    const next = rng(opts.seed ?? 1);
    const order = examples.map((_, i) => i);
    let loss = 0;
    for (let e = 0; e < epochs; e++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const lr = lr0 / (1 + e);
      loss = 0;
      for (const k of order) {
        const ex = examples[k]!;
        if (ex.candidates.length < 2) continue;
        const p = softmax(this.scores(ex.candidates));
        loss -= Math.log(Math.max(p[ex.gold]!, 1e-12));
        ex.candidates.forEach((c, j) => {
          const g = p[j]! - (j === ex.gold ? 1 : 0);
          for (let i = 0; i < c.idx.length; i++) {
            const h = c.idx[i]!;
            this.w[h] = this.w[h]! - lr * (g * c.val[i]! + l2 * this.w[h]!);
          }
        });
      }
      loss /= Math.max(1, order.length);
    }
    return loss;
  }

  accuracy(examples: Example[]): number {
    if (!examples.length) return 0;
    return examples.filter((ex) => this.predict(ex.candidates) === ex.gold).length / examples.length;
  }
}
