/**
 * Turns a failed run of recipe.py or check.py into a named error the coder can act on: the kind
 * (missing field, syntax, timeout, ...), the one-line message, and the tails of the traceback and
 * stderr. Deterministic repairs key on the kind; LLM repairs read the tails.
 */
import type { LimitHit } from "../../src/sandbox/types.js";

export type ErrorKind =
  | "missing_field"
  | "bad_json"
  | "empty_output"
  | "timeout"
  | "assertion"
  | "syntax"
  | "import"
  | "runtime"
  | "limit";

export interface ClassifiedError {
  kind: ErrorKind;
  /** One line: the exception or check message, e.g. "KeyError: source 'src' has no field 'Bodyy'". */
  message: string;
  /** The last lines of the Python traceback (from "Traceback" on), or "". */
  tracebackTail: string;
  /** The last lines of stderr. */
  stderrTail: string;
}

export interface RunFacts {
  exitCode: number | null;
  stderr: string;
  stdout: string;
  timedOut: boolean;
  limitHit?: LimitHit;
  /** The sandbox's own one-line account of how the run ended. */
  reason?: string;
  /** The sandbox failed to run the command at all. */
  sandboxError?: string;
}

export interface ClassifyOptions {
  /** The script exited 0 but wrote no records. */
  emptyOutput?: boolean;
  /** Which script ran; check.py failures are assertions unless they say otherwise. */
  phase?: "recipe" | "check";
}

const TRACEBACK_LINES = 15;
const STDERR_LINES = 20;

function tailLines(text: string, n: number, maxChars = 3000): string {
  const t = text.replace(/\s+$/, "").split("\n").slice(-n).join("\n");
  return t.length > maxChars ? t.slice(-maxChars) : t;
}

/** The last traceback in stderr, trimmed to its final frames and exception line. */
function lastTraceback(stderr: string): string {
  const i = stderr.lastIndexOf("Traceback (most recent call last):");
  if (i < 0) return "";
  return tailLines(stderr.slice(i), TRACEBACK_LINES);
}

/** The exception line that ends a traceback ("KeyError: 'x'"), else the last meaningful stderr line. */
function exceptionLine(stderr: string): string {
  const lines = stderr.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim());
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (/^CHECK FAILED \[/.test(l) || /^EMPTY OUTPUT/.test(l)) return l;
    if (/^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)?(: |$)/.test(l) && !/^\s/.test(l) && !/^WARNING/.test(l) && /(Error|Exception|Exit|KeyboardInterrupt)/.test(l.split(":")[0]!)) return l;
  }
  return lines.at(-1) ?? "";
}

export function classifyError(result: RunFacts, opts: ClassifyOptions = {}): ClassifiedError {
  const stderr = result.stderr ?? "";
  const tracebackTail = lastTraceback(stderr);
  const stderrTail = tailLines(stderr, STDERR_LINES);
  const exc = exceptionLine(stderr);
  const make = (kind: ErrorKind, message: string): ClassifiedError => ({ kind, message: message.slice(0, 500), tracebackTail, stderrTail });

  if (result.timedOut || result.limitHit === "wall" || result.limitHit === "cpu") {
    return make("timeout", result.reason ?? `the run exceeded its ${result.limitHit === "cpu" ? "CPU" : "wall-clock"} time limit`);
  }
  if (result.limitHit) return make("limit", result.reason ?? `the run hit its ${result.limitHit} limit`);
  if (result.sandboxError) return make("runtime", `sandbox error: ${result.sandboxError}`);

  const check = /^CHECK FAILED \[(\w+)\]: (.*)$/m.exec(stderr);
  if (check) {
    const [, tag, msg] = check;
    if (tag === "empty_output") return make("empty_output", `check.py: ${msg}`);
    if (tag === "bad_json") return make("bad_json", `check.py: ${msg}`);
    return make("assertion", `check.py [${tag}]: ${msg}`);
  }
  if (/^EMPTY OUTPUT\b/m.test(stderr) || (opts.emptyOutput && result.exitCode === 0)) {
    const m = /^EMPTY OUTPUT:? ?(.*)$/m.exec(stderr);
    return make("empty_output", m ? `EMPTY OUTPUT: ${m[1]}` : "the recipe exited 0 but wrote no records to output/data.jsonl");
  }
  if (/\b(SyntaxError|IndentationError|TabError)\b/.test(exc) || /^\s*(SyntaxError|IndentationError|TabError)\b/m.test(stderr)) {
    const loc = [...stderr.matchAll(/File "([^"]+)", line (\d+)/g)].at(-1);
    return make("syntax", loc ? `${exc} (${loc[1]}, line ${loc[2]})` : exc);
  }
  if (/\b(ModuleNotFoundError|ImportError)\b/.test(exc)) return make("import", exc);
  if (/\bKeyError: /.test(stderr)) {
    const line = /^KeyError: .*$/m.exec(stderr)?.[0] ?? exc;
    return make("missing_field", line);
  }
  if (/\bJSONDecodeError\b|Expecting value: line \d+|Extra data: line \d+|Unterminated string/.test(stderr)) return make("bad_json", exc);
  if (/\bAssertionError\b/.test(exc) || (opts.phase === "check" && result.exitCode !== 0 && !tracebackTail)) {
    return make("assertion", opts.phase === "check" ? `check.py: ${exc || "failed"}` : exc);
  }
  if (result.exitCode === 0 && !opts.emptyOutput) return make("runtime", "the script exited 0 (no error to classify)");
  return make("runtime", exc || `the script exited with code ${result.exitCode ?? "none"}`);
}

/** The field and source a missing-field error names (source when the message says so). */
export function missingFieldOf(err: Pick<ClassifiedError, "message" | "tracebackTail" | "stderrTail">): { field: string; source?: string } | null {
  const text = `${err.message}\n${err.tracebackTail}\n${err.stderrTail}`;
  const named = /source '([^']+)' has no field '([^']+)'/.exec(text);
  if (named) return { source: named[1]!, field: named[2]! };
  const key = /KeyError: ['"]([^'"]+)['"]/.exec(text);
  return key ? { field: key[1]! } : null;
}
