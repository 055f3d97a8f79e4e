/**
 * Source features for the built-in planner: what the policy sees of a source, normalised to 0..1.
 *
 * Everything comes from the profile, the field mapping and the benchmark contract, never from a
 * source's id or file name, so the planner behaves the same on unseen tasks and schemas.
 *
 * Quality signals need the answer and the input of each record, which only the mapping knows, so
 * they are computed here from `profile.examples` (a handful of records, long strings truncated).
 * That is noisy; a profiler that received the mapping's roles could compute the same rates over
 * its whole sample (see `SourceQuality`).
 */
import type { SourceProfile, FieldProfile } from "../../src/data/types.js";
import { tokens } from "../../src/data/text.js";
import { valuesAt } from "../../src/task/record-fields.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { LoadedTask } from "../../src/task/spec.js";
import type { SourceFeatureName } from "../../src/rl/policy-params.js";

/**
 * The part of the coder's `SourceMapping` (agents/coder/field-mapping.ts) the planner reads. Role
 * values are field paths in the profile's notation (`question.choices[].text`), a list of them,
 * or an object holding them.
 */
export interface MappingLike {
  ok: boolean;
  /** Schema compatibility with the benchmark contract, 0..1. */
  score: number;
  roles: object;
  explode?: string;
  answerTransform: string;
  notes: string[];
}

export type LicenseClass = "open" | "noncommercial" | "unknown";

/** Example-based quality statistics of one source, with the counts behind each rate. */
export interface SourceQuality {
  /** Example units the rates were computed on (records, or exploded items of them). */
  examples: number;
  answerPaths: string[];
  inputPaths: string[];
  emptyAnswers: number;
  echoAnswers: number;
  repetitiveAnswers: number;
  templateLeaks: number;
  /** Answers whose shape matches the contract (reasoned, code, short label, ...). */
  shapedAnswers: number;
  /** Mean characters of the input fields (field statistics when available, else examples). */
  inputChars?: number;
  /** Mean characters of the answer fields. */
  answerChars?: number;
}

export interface SourceAnalysis {
  features: Record<SourceFeatureName, number>;
  /** Training records the source can yield (rows, or exploded items). */
  capacity: number;
  quality: SourceQuality;
  license: LicenseClass;
}

/** Relevance range over the candidate sources, so relevance can be judged relative to the others. */
export interface CandidateContext {
  relevanceMax: number;
  relevanceMin: number;
}

const ANSWER_ROLE = /answer|output|target|label|response|completion|solution|assistant|rationale|reasoning|code|gold|verdict|decision/i;
const OPTION_ROLE = /option|choice|candidate/i;
const IGNORED_ROLE = /^(id|ids|key|meta|metadata|system|source)$/i;
/** Field names that usually hold the answer, for sources the mapping gave no roles for. */
const ANSWER_FIELD = /^(answer|answers|output|outputs|target|label|labels|response|completion|solution|code|sentiment|final_decision|answerkey|correct|gold)$/i;
const PLACEHOLDER = new Set(["", "n/a", "na", "none", "null", "nan", "-", "--", "?", "...", "…", "tbd", "todo"]);
/** A line that opens a fabricated turn: "Input:", "Output:", "### Instruction:", "Human:". */
const TEMPLATE_LINE = /^\s*(?:#+\s*)?(?:input|output|instruction|question|answer|response|human|user|assistant|q|a)\s*[:：]/gim;

export function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** open / noncommercial / unknown, from the licence string alone. */
export function licenseClass(license: string | undefined): LicenseClass {
  const l = (license ?? "").trim();
  if (!l || /^(unknown|other|none|n\/a|unspecified|proprietary)$/i.test(l)) return "unknown";
  if (/(^|[^a-z])nc([^a-z]|$)|non[-\s]?commercial|research[-\s]?only|academic[-\s]?(use[-\s]?)?only/i.test(l)) return "noncommercial";
  return "open";
}

/** Every string that role values name as field paths (recursing into lists and objects). */
function rolePaths(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") {
    if (value.trim()) out.push(value.trim());
  } else if (Array.isArray(value)) for (const v of value) rolePaths(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) rolePaths(v, out);
  return out;
}

/** Answer and input field paths from the mapping's roles, else guessed from field names. */
export function rolesOf(mapping: MappingLike, profile: SourceProfile): { answer: string[]; input: string[]; echoInput: string[] } {
  const answer: string[] = [];
  const input: string[] = [];
  const echoInput: string[] = [];
  for (const [role, value] of Object.entries(mapping.roles ?? {})) {
    if (IGNORED_ROLE.test(role)) continue;
    const paths = rolePaths(value);
    if (ANSWER_ROLE.test(role)) answer.push(...paths);
    else {
      input.push(...paths);
      // An answer repeating one of the options is a correct MCQ answer, not an echo.
      if (!OPTION_ROLE.test(role)) echoInput.push(...paths);
    }
  }
  if (answer.length || input.length) return { answer: uniq(answer), input: uniq(input), echoInput: uniq(echoInput) };
  const stringFields = profile.fields.filter((f) => !f.path.includes(".") && (f.types.string ?? 0) + (f.types.number ?? 0) > 0);
  const guessedAnswer = stringFields.filter((f) => ANSWER_FIELD.test(f.path.replace(/\[\]$/, ""))).map((f) => f.path);
  const guessedInput = stringFields.filter((f) => !guessedAnswer.includes(f.path) && (f.types.string ?? 0) > 0).map((f) => f.path);
  return { answer: guessedAnswer, input: guessedInput, echoInput: guessedInput };
}

function uniq(xs: string[]): string[] {
  return [...new Set(xs)];
}

/**
 * Texts at a field path, in the profile's notation (`a.b[].c`; shared with the field mapping):
 * nested values flattened, numbers and booleans as strings.
 */
export function textsAt(record: unknown, path: string): string[] {
  const out: string[] = [];
  const flat = (v: unknown) => {
    if (typeof v === "string") out.push(v);
    else if (typeof v === "number" || typeof v === "boolean") out.push(String(v));
    else if (Array.isArray(v)) v.forEach(flat);
    else if (v && typeof v === "object") Object.values(v).forEach(flat);
  };
  valuesAt(record, path).forEach(flat);
  return out;
}

/** One training unit: a record, or one item of its exploded list (with the record around it). */
interface Unit {
  record: Record<string, unknown>;
  item?: unknown;
}

/** Exploded items per example record considered at most, so one long list cannot dominate. */
const MAX_ITEMS_PER_RECORD = 5;

function explodeBase(explode: string): string {
  return explode.replace(/\[\]$/, "");
}

function unitsOf(record: Record<string, unknown>, explode: string | undefined): Unit[] {
  if (!explode) return [{ record }];
  const items = valuesAt(record, `${explodeBase(explode)}[]`);
  return items.slice(0, MAX_ITEMS_PER_RECORD).map((item) => ({ record, item }));
}

/** Texts of one path in a unit; with `explode`, item paths may be written `list[].x` or relative `x`. */
function unitTexts(unit: Unit, path: string, explode: string | undefined): string[] {
  if (explode && unit.item !== undefined) {
    const prefix = `${explodeBase(explode)}[].`;
    if (path.startsWith(prefix)) return textsAt(unit.item, path.slice(prefix.length));
    const own = textsAt(unit.record, path);
    return own.length ? own : textsAt(unit.item, path);
  }
  return textsAt(unit.record, path);
}

function textsOf(unit: Unit, paths: string[], explode: string | undefined): string[] {
  return paths.flatMap((p) => unitTexts(unit, p, explode));
}

/** Training records a source can yield: rows, times the mean list length when records are exploded. */
export function recordCapacity(profile: SourceProfile, mapping: Pick<MappingLike, "explode">): number {
  if (!mapping.explode) return profile.rows;
  const f = fieldByPath(profile, explodeBase(mapping.explode));
  if (f?.meanItems === undefined) return profile.rows;
  return Math.max(0, Math.round(profile.rows * f.presence * f.meanItems));
}

function ngrams(toks: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= toks.length; i++) out.push(toks.slice(i, i + n).join(" "));
  return out;
}

/**
 * The answer repeats an input field: it reproduces most (60%) of that field's 4-grams. Raw
 * base-model completions do this ("<the input again>\n\nInput: ..."); an extractive answer, a
 * short span of a long passage, does not.
 */
export function isEcho(answer: string, inputFields: string[]): boolean {
  const a = tokens(answer);
  // Short answers (a number, a label) naturally share words with the question: not an echo.
  if (a.length < 8) return false;
  const have = new Set(ngrams(a, 4));
  return inputFields.some((field) => {
    const grams = ngrams(tokens(field), 4);
    return grams.length >= 5 && grams.filter((g) => have.has(g)).length / grams.length >= 0.6;
  });
}

/** The answer loops: few distinct trigrams among many. */
export function isRepetitive(answer: string): boolean {
  const a = tokens(answer);
  if (a.length < 12) return false;
  const grams = ngrams(a, 3);
  return new Set(grams).size / grams.length < 0.5;
}

/** The answer invents further turns ("Input: ... Output: ..."), typical of raw base-model completions. */
export function hasTemplateLeak(answer: string): boolean {
  return (answer.match(TEMPLATE_LINE)?.length ?? 0) >= 2;
}

export function looksReasoned(answer: string): boolean {
  const t = tokens(answer);
  if (t.length < 12) return false;
  const steps = (answer.match(/[.!?](\s|$)|\n/g)?.length ?? 0) + (answer.match(/=/g)?.length ?? 0);
  return steps >= 2;
}

export function looksLikeCode(answer: string): boolean {
  const cues = [
    /[{};]\s*$/m,
    /\n[ \t]{2,}\S/,
    /\b(def|return|function|class|import|const|let|var|public|static|void|lambda|elif|#include)\b/,
    /\w\([^()]*\)/,
    /==|!=|<=|>=|\+=|=>|->/,
  ];
  return cues.filter((c) => c.test(answer)).length >= 2;
}

function isEmptyAnswer(texts: string[], contract: TaskContract): boolean {
  const joined = texts.join(" ").trim().toLowerCase();
  const labels = contract.answer.kind === "label" ? contract.answer.labels.map((l) => l.toLowerCase()) : [];
  return PLACEHOLDER.has(joined) && !labels.includes(joined);
}

/** Does this answer already have the benchmark's shape? */
function answerMatchesShape(answer: string, contract: TaskContract): boolean {
  const kind = contract.answer.kind;
  if (kind === "code") return looksLikeCode(answer);
  if (contract.reasoning) return looksReasoned(answer);
  if (kind === "label" || kind === "option_letter") return tokens(answer).length >= 1 && tokens(answer).length <= 4;
  if (kind === "number" || kind === "marker" || kind === "boxed") return /\d/.test(answer);
  return tokens(answer).length >= 1;
}

function fieldByPath(profile: SourceProfile, path: string): FieldProfile | undefined {
  return profile.fields.find((f) => f.path === path);
}

/**
 * Mean characters a path contributes per record from the profile's field statistics (the whole
 * sample, not truncated examples); undefined when the profile lacks them.
 */
function meanCharsFromFields(profile: SourceProfile, path: string, explode: string | undefined): number | undefined {
  const f = fieldByPath(profile, path) ?? fieldByPath(profile, `${path}[]`);
  if (!f || f.meanChars === undefined) return undefined;
  let chars = f.meanChars * f.presence;
  // Each `[]` step multiplies by the mean number of items of that array, except the exploded
  // list: each of its items becomes its own training record.
  const parts = f.path.split("[]");
  for (let i = 0; i < parts.length - 1; i++) {
    const arrPath = parts.slice(0, i + 1).join("[]");
    if (explode && arrPath === explodeBase(explode)) continue;
    const arr = fieldByPath(profile, arrPath);
    if (arr?.meanItems !== undefined) chars *= arr.meanItems;
  }
  return chars;
}

function meanChars(profile: SourceProfile, paths: string[], explode: string | undefined): number | undefined {
  if (!paths.length) return undefined;
  const fromFields = paths.map((p) => meanCharsFromFields(profile, p, explode));
  if (fromFields.every((c) => c !== undefined)) return fromFields.reduce((s, c) => s + c!, 0);
  const units = profile.examples.flatMap((r) => unitsOf(r, explode));
  if (!units.length) return undefined;
  return units.reduce((s, u) => s + textsOf(u, paths, explode).join("\n").length, 0) / units.length;
}

/** Quality statistics from the profile's examples and field statistics. */
export function sourceQuality(profile: SourceProfile, mapping: MappingLike, contract: TaskContract): SourceQuality {
  const roles = rolesOf(mapping, profile);
  const units = profile.examples.flatMap((r) => unitsOf(r, mapping.explode));
  const q: SourceQuality = {
    examples: units.length,
    answerPaths: roles.answer,
    inputPaths: roles.input,
    emptyAnswers: 0,
    echoAnswers: 0,
    repetitiveAnswers: 0,
    templateLeaks: 0,
    shapedAnswers: 0,
    inputChars: meanChars(profile, roles.input, mapping.explode),
    answerChars: meanChars(profile, roles.answer, mapping.explode),
  };
  for (const unit of units) {
    const answers = textsOf(unit, roles.answer, mapping.explode);
    if (!answers.length || isEmptyAnswer(answers, contract)) {
      q.emptyAnswers++;
      continue;
    }
    const answer = answers.join("\n");
    const inputs = roles.echoInput.map((p) => unitTexts(unit, p, mapping.explode).join("\n"));
    if (isEcho(answer, inputs)) q.echoAnswers++;
    if (isRepetitive(answer)) q.repetitiveAnswers++;
    if (hasTemplateLeak(answer)) q.templateLeaks++;
    if (answerMatchesShape(answer, contract)) q.shapedAnswers++;
  }
  return q;
}

/** Share of records missing the answer according to the field statistics (whole sample). */
function answerAbsence(profile: SourceProfile, answerPaths: string[]): number {
  let worst = 0;
  for (const p of answerPaths) {
    const f = fieldByPath(profile, p);
    if (f) worst = Math.max(worst, 1 - f.presence);
  }
  return worst;
}

/**
 * Heavy length tail, 0 for ordinary spreads (p95 up to twice the median, max up to twice p95):
 * p95 twenty times the median gives 0.5, a max twenty times p95 adds 0.25.
 */
export function lengthTail(profile: SourceProfile): number {
  const { p50, p95, max } = profile.textLength;
  if (!(p50 > 0)) return 0;
  const excess = (ratio: number) => Math.log10(Math.max(1, ratio / 2));
  return clamp01(0.5 * excess(p95 / p50) + 0.25 * excess(max / Math.max(p95, 1)));
}

/** 1 when the source's inputs are as long as the benchmark's, 0.5 at 3× off, 0.2 at 9× off. */
export function lengthFit(sourceChars: number | undefined, benchmarkChars: number): number {
  if (!sourceChars || !(benchmarkChars > 0)) return 0.5;
  const r = Math.log(sourceChars / benchmarkChars) / Math.log(3);
  return 1 / (1 + r * r);
}

/** Relevance relative to the candidates: 1 for the best, 0 for the worst when the spread is real. */
export function relativeRelevance(relevance: number, ctx: CandidateContext | undefined): number {
  if (!ctx || !(ctx.relevanceMax > 0)) return 0;
  // The floor on the range keeps a set of equally relevant sources from looking spread out.
  const range = Math.max(ctx.relevanceMax - ctx.relevanceMin, 0.5 * ctx.relevanceMax);
  return clamp01(1 - (ctx.relevanceMax - relevance) / range);
}

export function analyseSource(
  profile: SourceProfile,
  mapping: MappingLike,
  contract: TaskContract,
  task: Pick<LoadedTask, "maxRecords">,
  ctx?: CandidateContext,
): SourceAnalysis {
  const quality = sourceQuality(profile, mapping, contract);
  const n = quality.examples;
  const rate = (k: number) => (n ? k / n : 0);
  const nonEmpty = n - quality.emptyAnswers;
  const license = licenseClass(profile.license);
  const capacity = recordCapacity(profile, mapping);
  const features: Record<SourceFeatureName, number> = {
    relevance: clamp01(profile.relevance),
    relevance_rel: relativeRelevance(profile.relevance, ctx ?? { relevanceMax: profile.relevance, relevanceMin: profile.relevance }),
    schema: clamp01(mapping.score),
    answer_shape: nonEmpty > 0 ? quality.shapedAnswers / nonEmpty : 0,
    input_len_fit: lengthFit(quality.inputChars, contract.inputChars.p50),
    dup_rate: clamp01(profile.duplicateRate),
    empty_answer_rate: clamp01(Math.max(rate(quality.emptyAnswers), answerAbsence(profile, quality.answerPaths))),
    echo_rate: rate(quality.echoAnswers),
    repetition_rate: rate(quality.repetitiveAnswers),
    template_leak_rate: rate(quality.templateLeaks),
    length_tail: lengthTail(profile),
    malformed_rate: profile.rows + profile.malformed > 0 ? profile.malformed / (profile.rows + profile.malformed) : 0,
    benchmark_overlap: clamp01(profile.benchmarkOverlap ?? 0),
    size: clamp01(Math.log10(capacity + 1) / 6),
    budget_cover: task.maxRecords > 0 ? clamp01(capacity / task.maxRecords) : 0,
    license_open: license === "open" ? 1 : license === "unknown" ? 0.5 : 0,
  };
  return { features, quality, license, capacity };
}

/** The policy's view of one source (see `analyseSource` for the statistics behind it). */
export function sourceFeatures(
  profile: SourceProfile,
  mapping: MappingLike,
  contract: TaskContract,
  task: Pick<LoadedTask, "maxRecords">,
  ctx?: CandidateContext,
): Record<SourceFeatureName, number> {
  return analyseSource(profile, mapping, contract, task, ctx).features;
}
