/** Test fixtures of the verifier: a verifier result with hostile strings (HTML escaping). */
import type { VerifierResult } from "./types.js";

export const EVIL = `<script>alert("x")</script> & 'quotes'`;

export function verifierResult(overrides: Partial<VerifierResult> = {}): VerifierResult {
  return {
    status: "ok",
    reward: 0.7,
    records: 3,
    judge: "builtin-rules",
    sampled: 2,
    meanScore: 0.7,
    grades: { invalid: 0, format_error: 0, incorrect: 0, task_mismatch: 1, pass: 1 },
    samples: [
      { index: 0, line: 1, grade: "pass", score: 1, reason: "fits", user: `Q ${EVIL}`, assistant: "A\n#### 1", source: "gsm8k_train" },
      { index: 2, line: 3, grade: "task_mismatch", score: 0.4, reason: `off-topic ${EVIL}`, notes: [`note ${EVIL}`], user: "x".repeat(5000), assistant: "B", source: EVIL },
    ],
    formatErrors: [],
    contamination: { ngram: 13, contaminated_records: 0, rate: 0, threshold: 0.001, examples: [] },
    duplicateRate: 0,
    sourceMix: { gsm8k_train: 2, [EVIL]: 1 },
    lengths: { user: [10, 20, 5000], assistant: [5, 8, 1] },
    validRecords: 3,
    formatGate: { invalid: 0, rate: 0, maxInvalidRate: 0, passed: true },
    warnings: [`warn ${EVIL}`],
    timingsMs: { read: 4, grade: 6 },
    samplesRequested: 100,
    seed: 7,
    ...overrides,
  };
}
