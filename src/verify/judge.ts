/**
 * The built-in judge: rules in the order of the paper's grades, first failure decides.
 *
 *   invalid        broken question or answer (empty, echo, loops, refusal, cut off, scaffolding)
 *   format_error   breaks the contract's answer format
 *   incorrect      a checkable error: arithmetic, a final answer the solution never derived, an
 *                  option letter that is not listed or whose text is another option's, a label a
 *                  calibrated reference classifier confidently contradicts
 *   task_mismatch  well-formed but not this task's I/O: options or context missing, lengths far
 *                  off, no reasoning where it is expected, an answer that fits unrelated questions
 *                  as well as its own (mis-joined records), or off-topic for the benchmark
 *   pass
 *
 * Hard evidence gives `incorrect`; statistical evidence that a record does not fit (pairing,
 * topic, option text that matches no option) gives `task_mismatch`, so a verifier mistake costs
 * 0.6, not 1.0. Whatever cannot be checked is said in `notes`, never guessed.
 */
import type { TaskContract } from "../task/contract.js";
import { RelevanceModel } from "../data/relevance.js";
import type { JudgeContext, JudgeSample, JudgeVerdict, Judge } from "./types.js";
import { checkAnswerFormat, parseOptions, type FormatVerdict } from "./answer-format.js";
import { arithmeticErrors, numbersIn, parseNumber } from "./arith.js";
import { benchmarkAnswer, benchmarkInput } from "./benchmark.js";
import { LabelModel } from "./label-model.js";
import { PairingIndex, type PairingOptions } from "./pairing.js";
import { echo, placeholder, questionTooShort, refusal, repetition, scaffolding, truncation } from "./quality.js";
import { terms } from "./terms.js";

export interface RuleJudgeOptions {
  /** Topic similarity (relative to the benchmark's own, 1 = typical) below which a record is off-topic (default 0.15). */
  relevanceFloor?: number;
  /** Input length outside [p50 / factor, p95 * factor] of the benchmark's is a mismatch (default 8). */
  lengthFactor?: number;
  /** Required cross-validated precision of the label reference classifier (default 0.9). */
  labelPrecision?: number;
  pairing?: PairingOptions;
  /** Benchmark records the models learn from, evenly spread over the file (default 3000): bounds time and memory. */
  maxBenchmarkRecords?: number;
}

/** What the rules precompute once per benchmark. */
export interface RuleModels {
  contract: TaskContract;
  relevance: RelevanceModel | null;
  /** Median relevance of benchmark inputs themselves: the scale of `relevanceFloor`. */
  typicalRelevance: number;
  pairing: PairingIndex | null;
  labels: LabelModel | null;
  opts: Required<Omit<RuleJudgeOptions, "pairing" | "maxBenchmarkRecords">>;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The benchmark's own similarity to its centroid; leave-one-out when it is small. */
function typicalRelevance(inputs: string[], model: RelevanceModel): number {
  if (inputs.length < 2) return 0;
  if (inputs.length <= 50) return median(inputs.map((t, i) => new RelevanceModel(inputs.filter((_, j) => j !== i)).score(t)));
  const step = Math.max(1, Math.floor(inputs.length / 300));
  return median(inputs.filter((_, i) => i % step === 0).map((t) => model.score(t)));
}

function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const step = items.length / max;
  return Array.from({ length: max }, (_, i) => items[Math.floor(i * step)]!);
}

export function prepareRuleModels(contract: TaskContract, allBenchmarkRecords: unknown[], options: RuleJudgeOptions = {}): RuleModels {
  const opts = { relevanceFloor: 0.15, lengthFactor: 8, labelPrecision: 0.9, ...options };
  const benchmarkRecords = spread(allBenchmarkRecords, options.maxBenchmarkRecords ?? 3000);
  const inputs = benchmarkRecords.map((r) => benchmarkInput(r, contract)).filter((t) => t.trim());
  const relevance = inputs.length ? new RelevanceModel(inputs) : null;
  let labels: LabelModel | null = null;
  if (contract.answer.kind === "label") {
    const examples = benchmarkRecords.flatMap((r) => {
      const label = benchmarkAnswer(r, contract);
      return label ? [{ text: benchmarkInput(r, contract), label }] : [];
    });
    labels = new LabelModel(examples, contract.answer.labels, { precision: opts.labelPrecision });
  }
  return {
    contract,
    relevance,
    typicalRelevance: relevance ? typicalRelevance(inputs, relevance) : 0,
    pairing: inputs.length ? new PairingIndex(inputs, options.pairing) : null,
    labels,
    opts: { relevanceFloor: opts.relevanceFloor, lengthFactor: opts.lengthFactor, labelPrecision: opts.labelPrecision },
  };
}

const verdict = (grade: JudgeVerdict["grade"], reason: string, notes: string[]): JudgeVerdict => (notes.length ? { grade, reason, notes } : { grade, reason });

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function sameText(a: string, b: string): boolean {
  const x = terms(a).join(" ");
  const y = terms(b).join(" ");
  return x.length > 0 && (x === y || (x.length >= 3 && y.includes(x)) || (y.length >= 3 && x.includes(y)));
}

function invalidReason(user: string, assistant: string, contract: TaskContract): string | null {
  if (!assistant.trim()) return "empty answer";
  if (!user.trim()) return "empty question";
  return (
    questionTooShort(user) ??
    placeholder(user, "question") ??
    placeholder(assistant, "answer") ??
    refusal(assistant) ??
    scaffolding(assistant) ??
    echo(user, assistant) ??
    repetition(assistant, "answer", { loopsOnly: contract.answer.kind === "code" }) ??
    repetition(user, "question", { loopsOnly: true }) ??
    truncation(assistant, contract.answer.kind === "code")
  );
}

interface Findings {
  incorrect: string | null;
  /** Statistical evidence the record does not fit, for the task_mismatch stage. */
  soft: string[];
  notes: string[];
}

function correctness(user: string, assistant: string, fmt: Extract<FormatVerdict, { ok: true }>, models: RuleModels): Findings {
  const { contract } = models;
  const kind = contract.answer.kind;
  const out: Findings = { incorrect: null, soft: [], notes: [] };
  if (kind !== "code") {
    const arith = arithmeticErrors(assistant);
    if (arith.errors.length) {
      const e = arith.errors[0]!;
      out.incorrect = `arithmetic error: ${e.expression} = ${e.claimed}, but it is ${+e.computed.toFixed(6)}`;
      return out;
    }
    if (arith.checked) out.notes.push(`${arith.checked} calculation(s) checked`);
  }
  if (kind === "number" || (kind === "marker" && contract.numericAnswer)) {
    const final = parseNumber(fmt.final.replace(/%$/, ""));
    const body = fmt.body;
    // Only when the solution computes something: otherwise the final number has nothing to agree with.
    if (final !== null && /=/.test(body)) {
      const derived = numbersIn(body).some((n) => Math.abs(n - final) <= Math.max(1e-9, Math.abs(final) * 1e-6));
      if (!derived) {
        out.incorrect = `final answer ${fmt.final} appears nowhere in the solution's work`;
        return out;
      }
    }
  }
  if (kind === "option_letter") {
    const options = parseOptions(user);
    if (options.length) {
      const chosen = options.find((o) => o.letter.toUpperCase() === fmt.final.toUpperCase());
      if (!chosen) {
        out.incorrect = `option ${fmt.final} is not among the listed options ${options.map((o) => o.letter).join("/")}`;
        return out;
      }
      if (fmt.optionText) {
        if (!sameText(fmt.optionText, chosen.text)) {
          const other = options.find((o) => o !== chosen && sameText(fmt.optionText!, o.text));
          if (other) {
            out.incorrect = `answer says ${fmt.final} but its text '${fmt.optionText}' is option ${other.letter}`;
            return out;
          }
          out.soft.push(`answer text '${fmt.optionText}' is not option ${chosen.letter} ('${chosen.text}') nor any listed option`);
        }
      } else out.notes.push("correctness not checkable: bare option letter");
    }
  }
  if (kind === "label") {
    const opinion = models.labels?.opinion(user, fmt.final);
    if (opinion?.disagrees) {
      out.incorrect = `label '${fmt.final}' contradicts the reference classifier ('${opinion.predicted}', p=${opinion.confidence.toFixed(2)}; ${pct(models.labels!.info.precision)} precise on the benchmark at this confidence)`;
      return out;
    }
    if (!opinion) out.notes.push("label correctness not checkable: no calibrated reference classifier for this benchmark");
  }
  if (kind === "boxed") out.notes.push("boxed answer not re-derived (no reference for new problems)");
  if (kind === "code") out.notes.push("correctness not checkable without running tests");
  if (kind === "free_text") out.notes.push("correctness not checkable: free-text answer");
  return out;
}

function mismatchReasons(user: string, assistant: string, fmt: Extract<FormatVerdict, { ok: true }>, models: RuleModels, soft: string[], notes: string[]): string[] {
  const { contract, opts } = models;
  const out: string[] = [];
  if (contract.hasOptions && parseOptions(user).length === 0) out.push("benchmark questions list options; this one has none");
  const chars = user.length;
  const { p50, p95 } = contract.inputChars;
  // A question alone is a sentence or two; context (a passage, a table) is more than that.
  if (contract.hasContext && p50 > 0 && chars < Math.min(p50 / 4, 250)) out.push(`benchmark inputs carry context (~${p50} chars); this question has ${chars} chars`);
  else if (p50 > 0 && chars < p50 / opts.lengthFactor) out.push(`question is much shorter than the benchmark's (${chars} vs ~${p50} chars)`);
  if (p95 > 0 && chars > p95 * opts.lengthFactor) out.push(`question is much longer than the benchmark's (${chars} vs p95 ${p95} chars)`);
  const reasoningKinds = ["marker", "boxed", "number", "label", "option_letter"];
  if (contract.reasoning && reasoningKinds.includes(contract.answer.kind) && terms(fmt.body).length < 5) out.push("no reasoning before the final answer, though the task expects it");
  out.push(...soft);
  // A bare label or letter carries no content of its own to pair with a question.
  const bare = (contract.answer.kind === "label" || contract.answer.kind === "option_letter") && terms(fmt.body).length < 5;
  if (bare) notes.push("pairing not checkable: the answer is a bare label");
  else if (models.pairing) {
    const p = models.pairing.check(assistant, user);
    if (p.checkable && !p.fits)
      out.push(`answer seems to belong to another question: its own question covers ${pct(p.own)} of the answer's content, unrelated benchmark questions up to ${pct(p.distractorP90)} (p90)`);
    else if (!p.checkable && p.why) notes.push(`pairing not checkable: ${p.why}`);
  }
  if (models.relevance && models.typicalRelevance > 0) {
    const rel = models.relevance.score(user) / models.typicalRelevance;
    if (rel < opts.relevanceFloor) out.push(`off-topic: similarity to the benchmark is ${rel.toFixed(2)} of its own (floor ${opts.relevanceFloor})`);
  }
  return out;
}

/** Grades one conversation with the rules (synchronous; `RuleJudge` wraps it). */
export function gradeWithRules(sample: Pick<JudgeSample, "user" | "assistant">, models: RuleModels): JudgeVerdict {
  const { user, assistant } = sample;
  const { contract } = models;
  const invalid = invalidReason(user, assistant, contract);
  if (invalid) return verdict("invalid", invalid, []);
  const fmt = checkAnswerFormat(assistant, contract);
  if (!fmt.ok) return verdict("format_error", `${fmt.reason} (expected ${contract.describe})`, []);
  const found = correctness(user, assistant, fmt, models);
  if (found.incorrect) return verdict("incorrect", found.incorrect, found.notes);
  const mismatches = mismatchReasons(user, assistant, fmt, models, found.soft, found.notes);
  if (mismatches.length) return verdict("task_mismatch", mismatches[0]!, [...mismatches.slice(1), ...found.notes]);
  return verdict("pass", `fits the task: ${contract.describe}`, found.notes);
}

/**
 * The built-in judge behind the `Judge` interface. Models are built once per (benchmark records,
 * contract) pair and reused while the caller keeps passing the same objects, e.g. the G recipes
 * of a rollout group.
 */
export class RuleJudge implements Judge {
  readonly name = "builtin-rules";
  private readonly cache = new WeakMap<object, WeakMap<TaskContract, RuleModels>>();

  constructor(private readonly options: RuleJudgeOptions = {}) {}

  models(ctx: JudgeContext): RuleModels {
    let byContract = this.cache.get(ctx.benchmarkRecords);
    if (!byContract) this.cache.set(ctx.benchmarkRecords, (byContract = new WeakMap()));
    let m = byContract.get(ctx.contract);
    if (!m) byContract.set(ctx.contract, (m = prepareRuleModels(ctx.contract, ctx.benchmarkRecords, this.options)));
    return m;
  }

  async grade(sample: JudgeSample, ctx: JudgeContext): Promise<JudgeVerdict> {
    return gradeWithRules(sample, this.models(ctx));
  }
}
