/**
 * A reference classifier for closed-label tasks, trained on the benchmark's labelled inputs
 * (verification is one of the two uses contracts.md allows for the benchmark). A bare label
 * carries no evidence of its own, so the only way to notice labels that do not fit their inputs
 * is to compare with a reference. It only speaks when cross-validation on the benchmark shows its
 * confident predictions are right at least `precision` of the time; otherwise it stays silent.
 */
import { terms } from "./terms.js";

/** Distinct terms, function words included: "up", "down", "not", "less" carry the label. */
function features(text: string): string[] {
  return [...new Set(terms(text))];
}

/**
 * Naive Bayes over the presence of terms: P(term | label) is the share of that label's examples
 * containing it (smoothed), and only terms seen in training vote. Absent terms are not counted,
 * which keeps long inputs from drowning in evidence about words they do not use.
 */
class NaiveBayes {
  private readonly docFreq = new Map<string, Map<string, number>>();
  private readonly docs = new Map<string, number>();
  private readonly seen = new Set<string>();

  constructor(
    examples: { text: string; label: string }[],
    private readonly labels: string[],
  ) {
    for (const l of labels) {
      this.docFreq.set(l, new Map());
      this.docs.set(l, 0);
    }
    for (const { text, label } of examples) {
      const df = this.docFreq.get(label);
      if (!df) continue;
      this.docs.set(label, this.docs.get(label)! + 1);
      for (const f of features(text)) {
        df.set(f, (df.get(f) ?? 0) + 1);
        this.seen.add(f);
      }
    }
  }

  posterior(text: string): Map<string, number> {
    const n = [...this.docs.values()].reduce((s, x) => s + x, 0);
    const fs = features(text).filter((f) => this.seen.has(f));
    const logs = this.labels.map((l) => {
      const docs = this.docs.get(l)!;
      const df = this.docFreq.get(l)!;
      let lp = Math.log((docs + 1) / (n + this.labels.length));
      for (const f of fs) lp += Math.log(((df.get(f) ?? 0) + 0.5) / (docs + 1));
      return lp;
    });
    const max = Math.max(...logs);
    const exps = logs.map((x) => Math.exp(x - max));
    const z = exps.reduce((s, x) => s + x, 0);
    return new Map(this.labels.map((l, i) => [l, exps[i]! / z]));
  }
}

export interface LabelOpinion {
  predicted: string;
  confidence: number;
  /** True when the reference confidently predicts another label than `given`. */
  disagrees: boolean;
}

export interface LabelModelInfo {
  /** Whether the model is calibrated well enough to be used. */
  usable: boolean;
  /** Confidence from which its predictions are trusted. */
  threshold: number;
  /** Cross-validated accuracy of predictions at or above the threshold. */
  precision: number;
  /** Share of benchmark inputs it is confident on. */
  coverage: number;
  examples: number;
}

export class LabelModel {
  private readonly model: NaiveBayes;
  readonly info: LabelModelInfo;

  /**
   * @param examples benchmark inputs with their labels (labels outside `labels` are ignored)
   * @param precision required cross-validated precision of confident predictions (default 0.9)
   */
  constructor(examples: { text: string; label: string }[], labels: string[], opts: { precision?: number; folds?: number; minExamples?: number } = {}) {
    // Labels compare case-insensitively: "Positive" in a record is the label "positive".
    const lower = labels.map((l) => l.toLowerCase());
    const usableExamples = examples.map((e) => ({ text: e.text, label: e.label.trim().toLowerCase() })).filter((e) => lower.includes(e.label));
    this.model = new NaiveBayes(usableExamples, lower);
    this.info = LabelModel.calibrate(usableExamples, lower, opts.precision ?? 0.9, opts.folds ?? 5, opts.minExamples ?? 50);
  }

  /** k-fold predictions on the benchmark; the lowest confidence threshold reaching `precision`. */
  private static calibrate(examples: { text: string; label: string }[], labels: string[], precision: number, folds: number, minExamples: number): LabelModelInfo {
    const none = { usable: false, threshold: 1, precision: 0, coverage: 0, examples: examples.length };
    if (examples.length < minExamples || labels.length < 2) return none;
    const preds: { confidence: number; correct: boolean }[] = [];
    for (let k = 0; k < folds; k++) {
      const train = examples.filter((_, i) => i % folds !== k);
      const test = examples.filter((_, i) => i % folds === k);
      const nb = new NaiveBayes(train, labels);
      for (const e of test) {
        const post = nb.posterior(e.text);
        let best = labels[0]!;
        for (const l of labels) if (post.get(l)! > post.get(best)!) best = l;
        preds.push({ confidence: post.get(best)!, correct: best === e.label });
      }
    }
    for (const t of [0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999]) {
      const sure = preds.filter((p) => p.confidence >= t);
      // Too few confident predictions to trust the estimate.
      if (sure.length < Math.max(20, preds.length * 0.05)) break;
      const acc = sure.filter((p) => p.correct).length / sure.length;
      if (acc >= precision) return { usable: true, threshold: t, precision: acc, coverage: sure.length / preds.length, examples: examples.length };
    }
    return none;
  }

  opinion(text: string, given: string): LabelOpinion | null {
    if (!this.info.usable) return null;
    const post = this.model.posterior(text);
    let predicted = given;
    let confidence = 0;
    for (const [l, p] of post) if (p > confidence) [predicted, confidence] = [l, p];
    const disagrees = confidence >= this.info.threshold && predicted !== given.toLowerCase();
    return { predicted, confidence, disagrees };
  }
}
