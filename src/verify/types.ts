/** Grades, verifier results and the report.json shape of contracts.md (extended, never renamed). */
import type { ChatMessage } from "../data/chat.js";
import type { TaskContract } from "../task/contract.js";

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
  /** 1-based line in data.jsonl (additive). */
  line?: number;
  /** The system turn, when the record has one (additive). */
  system?: string;
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

  // ---- additive fields ----
  /** Records that are valid chat records (`records` counts every non-blank line). */
  validRecords?: number;
  /** One-line explanation of a non-ok status. */
  reason?: string;
  /** The format gate: invalid lines, their share, and the tolerance applied. */
  formatGate?: { invalid: number; rate: number; maxInvalidRate: number; passed: boolean };
  /** Share of records whose user turn repeats another record's (answers may differ). */
  duplicatePromptRate?: number;
  /** True when `lengths` holds a uniform sample of the records rather than all of them. */
  lengthsSampled?: boolean;
  /** Samples the judge failed on (excluded from the mean score). */
  judgeFailures?: { index: number; line: number; error: string }[];
  penalties?: Penalties;
  seed?: number | string;
  samplesRequested?: number;
  warnings?: string[];
  timingsMs?: { read: number; grade: number };
}

/** Rewards of failed gates (contracts.md: "a negative penalty otherwise"). */
export interface Penalties {
  empty: number;
  format: number;
  contaminated: number;
  /** The recipe never produced data (status execution_error). */
  execution: number;
}

export const DEFAULT_PENALTIES: Penalties = { empty: -1, format: -0.5, contaminated: -1, execution: -1 };

// ---- judges (additive) ----------------------------------------------------------------------


/** One sampled record as a judge sees it. */
export interface JudgeSample {
  /** 0-based position among the dataset's valid records. */
  index: number;
  /** 1-based line in data.jsonl. */
  line: number;
  messages: ChatMessage[];
  /** All user turns, newline-joined. */
  user: string;
  /** The final assistant turn. */
  assistant: string;
  system?: string;
  source?: string;
}

/** What every judge may use: the benchmark's contract and its records (verification is an allowed use). */
export interface JudgeContext {
  contract: TaskContract;
  benchmarkRecords: unknown[];
  /** The task's instruction, for judges that prompt a model. */
  instruction?: string;
}

export interface JudgeVerdict {
  grade: Grade;
  reason: string;
  notes?: string[];
}

/** A grader of single records: the built-in rules today, an LLM judge with a rubric tomorrow. */
export interface Judge {
  readonly name: string;
  grade(sample: JudgeSample, ctx: JudgeContext): Promise<JudgeVerdict>;
}
