/**
 * The benchmark's input/output contract, inferred from its examples. The coder formats records
 * to it, check.py asserts it, and the judge grades against it.
 */

export type AnswerFormat =
  /** A final line `<marker> <number>`, e.g. GSM8K's `#### 72`. */
  | { kind: "marker"; marker: string }
  /** The final answer inside `\boxed{...}`. */
  | { kind: "boxed" }
  /** A single option letter, e.g. A-E. */
  | { kind: "option_letter"; letters: string[] }
  /** One word out of a closed label set, e.g. positive/negative/neutral or yes/no/maybe. */
  | { kind: "label"; labels: string[] }
  /** A bare number. */
  | { kind: "number" }
  /**
   * Source code (a function body or a whole function). `style` "completion": the input is a
   * signature + docstring and the answer its body; `fenced`: answers sit in ``` fences.
   */
  | { kind: "code"; language: string; style?: "completion" | "function"; fenced?: boolean }
  /** Free text (spans, explanations). */
  | { kind: "free_text" };

export interface TaskContract {
  answer: AnswerFormat;
  /** Reasoning is expected before the final answer (worked solutions, CoT). */
  reasoning: boolean;
  /** The final answer is numeric (checkable arithmetic). */
  numericAnswer: boolean;
  /** Benchmark items carry options that must appear in the user turn. */
  hasOptions: boolean;
  /** Benchmark items carry context (passages, tables) that must be embedded in the user turn. */
  hasContext: boolean;
  /** Benchmark fields that make up the input, e.g. ["question"], ["QUESTION", "CONTEXTS"]. */
  inputFields: string[];
  /** Benchmark field holding the reference answer, when one was found. */
  answerField?: string;
  /** A system turn that states the task and the answer format. */
  systemPrompt: string;
  /** Human-readable one-liner of the answer format, for plans and reports. */
  describe: string;
  /** Typical benchmark input length in characters (for task-fit checks). */
  inputChars: { p50: number; p95: number };
  /** Which benchmark paths play which part (optional; set by inferContract). */
  fields?: ContractFields;
}

/** Benchmark paths by role, in profile path syntax (`question.choices`, `questions[].question`). */
export interface ContractFields {
  question?: string;
  context?: string[];
  options?: string;
  /** Assert/unit tests shown with the question (code tasks). */
  tests?: string;
  /** A worked solution next to a short reference answer (e.g. `solution` beside `answer`). */
  rationale?: string;
  /** An array of question objects that each make one benchmark item (table + questions[] layouts). */
  explode?: string;
}
