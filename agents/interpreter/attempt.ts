/** One execution of a recipe: what ran, how it ended, and what the coder changed before it. */
import type { ClassifiedError } from "./classify.js";
import type { IsolationReport } from "../../src/sandbox/types.js";

export interface Attempt {
  /** 1-based attempt number. */
  n: number;
  ok: boolean;
  failedPhase?: "recipe" | "check";
  error?: ClassifiedError;
  /** What the coder changed to produce this attempt's code (absent for the first). */
  fix?: string;
  /** The recipe exactly as executed in this attempt. */
  recipe: string;
  check?: string;
  records: number;
  durationMs: number;
  stdoutTail: string;
  stderrTail: string;
  /** The isolation the sandbox really had (warnings included). */
  isolation?: IsolationReport;
}

export function tail(text: string, lines = 20, chars = 4000): string {
  const t = text.split("\n").slice(-lines).join("\n");
  return t.length > chars ? t.slice(-chars) : t;
}
