/** Grades, verifier results and the report.json shape of contracts.md (extended, never renamed). */

export const GRADES = ["invalid", "format_error", "incorrect", "task_mismatch", "pass"] as const;
export type Grade = (typeof GRADES)[number];

export const GRADE_SCORES: Record<Grade, number> = {
  invalid: 0,
  format_error: 0,
  incorrect: 0,
  task_mismatch: 0.4,
  pass: 1.0,
};

export type RunStatus = "ok" | "empty" | "format_error" | "contaminated" | "execution_error";

export interface GradedSample {
  index: number;
  grade: Grade;
  score: number;
  reason: string;
  /** e.g. "correctness not checkable: free-text answer" */
  notes?: string[];
  user: string;
  assistant: string;
  source?: string;
}

export interface VerifierResult {
  status: RunStatus;
  reward: number;
  records: number;
  judge: string;
  sampled: number;
  meanScore: number;
  grades: Record<Grade, number>;
  samples: GradedSample[];
  formatErrors: { line: number; error: string }[];
  contamination: { ngram: number; contaminated_records: number; rate: number; threshold: number; examples: { line: number; benchmark_index: number; overlap: number }[] };
  duplicateRate: number;
  sourceMix: Record<string, number>;
  lengths: { user: number[]; assistant: number[] };
}
