/**
 * Maps a source's fields onto the benchmark contract: which field is the question, the context,
 * the options, the answer and the rationale, and how the answer must be transformed to match
 * the contract's format. Pure and fast: the planner calls it to score schema compatibility.
 *
 * Everything is read from the profile: field names (synonyms), types and value statistics. A
 * source that shares the benchmark's own schema is recognised by its paths.
 */
import type { FieldProfile, SourceProfile } from "../../src/data/types.js";
import type { TaskContract } from "../../src/task/contract.js";
import {
  asLetter,
  codeLanguage,
  finalLineMarker,
  firstExchange,
  OPTION_PATH_SEPARATOR,
  siblingOptionGroups,
  isMetaName,
  leafName,
  looksLikeCode,
  nameScore,
  normName,
  parseOptions,
  parsePlainNumber,
} from "../../src/task/field-roles.js";
import { valuesAt } from "../../src/task/record-fields.js";

/**
 * Named answer transforms, implemented by the recipe's helper functions:
 * - `text`: the answer as written (lists joined)
 * - `label_normalize`: mapped onto the contract's label set (case, prefixes, synonyms); others dropped
 * - `letter`: an option letter in any spelling ("a", "(B)") → upper case
 * - `letter_from_index` / `letter_from_index1`: 0- or 1-based option index → letter
 * - `letter_from_option_text`: the answer repeats one option's text → that option's letter
 * - `option_text_from_letter`: a letter → the option's text (free-text contracts with options)
 * - `number_from_value`: a numeric field → number
 * - `number_from_text`: a solution's final number (marker line, \boxed{}, "the answer is", leading number)
 * - `boxed_to_marker`: a \boxed{} solution → its plain-number answer (others dropped), box removed from the steps
 * - `number_from_option`: a letter answer → the number written in that option
 * - `keep_boxed`: a solution that already ends in \boxed{}
 * - `code`, `code_fenced`, `code_unfenced`: code answers, fenced or not as the benchmark does
 * - `code_completion`: a whole function → signature + docstring prompt and body answer
 * - `code_continuation`: a signature prompt cut mid-line + its continuation → the same split
 */
export type AnswerTransform =
  | "text"
  | "label_normalize"
  | "letter"
  | "letter_from_index"
  | "letter_from_index1"
  | "letter_from_option_text"
  | "option_text_from_letter"
  | "number_from_value"
  | "number_from_text"
  | "boxed_to_marker"
  | "number_from_option"
  | "keep_boxed"
  | "code"
  | "code_fenced"
  | "code_unfenced"
  | "code_completion"
  | "code_continuation";

export interface SourceRoles {
  question?: string;
  context?: string[];
  options?: string;
  answer?: string;
  rationale?: string;
  system?: string;
  /** Assert tests shown with a coding question. */
  tests?: string;
  /** Code the answer continues: a signature prompt cut mid-line ("def f():\n\treturn "). */
  prefix?: string;
}

export interface SourceMapping {
  ok: boolean;
  /** 0..1 schema compatibility with the contract. */
  score: number;
  roles: SourceRoles;
  /** Path of a nested array of question objects: one record per element. */
  explode?: string;
  answerTransform: AnswerTransform | string;
  notes: string[];
  /** Source answer value → contract label (label contracts), from the profile's frequent values. */
  labelMap?: Record<string, string>;
  /** The rationale is an equation or formula ("7+2=9") rather than prose. */
  rationaleIsEquation?: boolean;
}

interface Ctx {
  profile: SourceProfile;
  contract: TaskContract;
  byPath: Map<string, FieldProfile>;
  notes: string[];
}

const nonNull = (f: FieldProfile) => Object.entries(f.types).reduce((s, [t, c]) => (t === "null" ? s : s + (c ?? 0)), 0);
const share = (f: FieldProfile | undefined, ...ts: string[]) => {
  if (!f) return 0;
  const n = nonNull(f);
  return n ? ts.reduce((s, t) => s + (f.types[t as keyof typeof f.types] ?? 0), 0) / n : 0;
};
const under = (path: string, root: string): boolean =>
  root.includes(OPTION_PATH_SEPARATOR)
    ? root.split(OPTION_PATH_SEPARATOR).some((r) => under(path, r))
    : path === root || path.startsWith(root + ".") || path.startsWith(root + "[]");
const str = (v: unknown): string => (typeof v === "string" ? v : Array.isArray(v) ? v.map(str).join("\n") : v == null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));

/** Sample values at a path: the profile's example records, its example value and its frequent values. */
function samples(ctx: Ctx, path: string): unknown[] {
  const out: unknown[] = [];
  if (path.includes(OPTION_PATH_SEPARATOR)) {
    // Sibling option fields: one list of option texts per example record.
    const parts = path.split(OPTION_PATH_SEPARATOR);
    for (const r of ctx.profile.examples ?? []) out.push(parts.map((p) => valuesAt(r, p)[0]).filter((v) => v !== undefined && v !== ""));
    return out;
  }
  const turn = /^(.*)#(user|assistant|system)$/.exec(path);
  if (turn) {
    for (const r of ctx.profile.examples ?? []) {
      const ex = firstExchange(valuesAt(r, turn[1]!)[0]);
      const v = ex?.[turn[2] as "user" | "assistant" | "system"];
      if (v !== undefined) out.push(v);
    }
    return out;
  }
  for (const r of ctx.profile.examples ?? []) out.push(...valuesAt(r, path));
  const f = ctx.byPath.get(path);
  if (!out.length && f?.example !== undefined) out.push(f.example);
  if (!out.length && f?.topValues) out.push(...f.topValues.map((t) => t.value));
  return out;
}

/** Frequent values with counts; falls back to the sampled values, one count each. */
function valueCounts(ctx: Ctx, path: string): { value: string; count: number }[] {
  const f = ctx.byPath.get(path);
  if (f?.topValues?.length) return f.topValues;
  return samples(ctx, path).filter((v) => typeof v !== "object").map((v) => ({ value: String(v), count: 1 }));
}

/** How many present values the profile saw at a path (for shares of frequent values). */
function presentCount(ctx: Ctx, path: string): number {
  const f = ctx.byPath.get(path);
  if (!f) return 0;
  const n = nonNull(f);
  const top = f.topValues?.reduce((s, t) => s + t.count, 0) ?? 0;
  return Math.max(n, top, 1);
}

// ---------------------------------------------------------------------------------------------
// Labels

const LABEL_SYNONYMS: Record<string, string[]> = {
  positive: ["pos", "good", "favorable", "favourable", "bullish"],
  negative: ["neg", "bad", "unfavorable", "unfavourable", "bearish"],
  neutral: ["neu", "neut", "none", "mixed"],
  yes: ["y", "true", "correct"],
  no: ["n", "false", "incorrect"],
  true: ["yes", "t", "correct"],
  false: ["no", "f", "incorrect"],
  entailment: ["entails", "entailed", "entail"],
  contradiction: ["contradicts", "contradict", "contradicted"],
};

/** The contract label a source value means, or null (case, punctuation, prefixes, common synonyms). */
export function matchLabel(value: string, labels: string[]): string | null {
  const v = value.trim().toLowerCase().replace(/[.!?,;:]+$/, "").trim();
  if (!v) return null;
  const byNorm = new Map(labels.map((l) => [l.toLowerCase(), l]));
  if (byNorm.has(v)) return byNorm.get(v)!;
  const first = v.split(/[\s,.;:!]+/)[0]!;
  if (byNorm.has(first) && v.split(/\s+/).length <= 3) return byNorm.get(first)!;
  for (const [norm, label] of byNorm) if ((LABEL_SYNONYMS[norm] ?? []).includes(v)) return label;
  const prefixed = [...byNorm.entries()].filter(([norm]) => v.length >= 3 && norm.startsWith(v));
  return prefixed.length === 1 ? prefixed[0]![1] : null;
}

// ---------------------------------------------------------------------------------------------
// Finding roles

/** Array-of-object paths whose elements carry their own question and answer (one item each). */
function findExplode(ctx: Ctx): string | undefined {
  if (ctx.contract.fields?.explode && ctx.byPath.has(ctx.contract.fields.explode + "[]")) return ctx.contract.fields.explode;
  let best: { path: string; score: number } | undefined;
  for (const f of ctx.profile.fields) {
    if (f.path.endsWith("[]") || share(f, "array") < 0.5) continue;
    const el = ctx.byPath.get(f.path + "[]");
    if (!el || share(el, "object") < 0.5) continue;
    const kids = ctx.profile.fields.filter((c) => c.path.startsWith(f.path + "[].") && !c.path.slice(f.path.length + 3).includes("."));
    const q = Math.max(0, ...kids.filter((c) => share(c, "string") >= 0.5).map((c) => nameScore(c.path, "question")));
    const a = Math.max(0, ...kids.map((c) => nameScore(c.path, "answer")));
    if (a < 0.5) continue;
    const topQ = Math.max(0, ...ctx.profile.fields.filter((c) => !c.path.includes("[]") && share(c, "string") >= 0.5).map((c) => nameScore(c.path, "question")));
    const topA = Math.max(0, ...ctx.profile.fields.filter((c) => !c.path.includes("[]") && !isMetaName(c.path)).map((c) => nameScore(c.path, "answer")));
    // The answers live in the array; the question may be inside too, or be the parent's instruction.
    if (topA >= a) continue;
    const score = a + Math.max(q, topQ * 0.8);
    if (q < 0.3 && topQ < 0.3) continue;
    if (!best || score > best.score) best = { path: f.path, score };
  }
  return best?.path;
}

function hasLetterKeys(ctx: Ctx, path: string): boolean {
  const kids = ctx.profile.fields.filter((c) => c.path.startsWith(path + ".") && !c.path.slice(path.length + 1).includes("."));
  if (kids.length >= 2 && kids.every((k) => asLetter(leafName(k.path)) !== null)) return true;
  const labelKid = ctx.byPath.get(path + "[].label") ?? ctx.byPath.get(path + "[].key") ?? ctx.byPath.get(path + "[].letter");
  return !!labelKid && (labelKid.topValues ?? []).every((t) => asLetter(t.value) !== null);
}

function findOptions(ctx: Ctx, explode?: string): string | undefined {
  let best: { path: string; score: number } | undefined;
  for (const f of ctx.profile.fields) {
    if (f.path.endsWith("[]") || (explode && !under(f.path, explode) && f.path.includes("[]"))) continue;
    const name = nameScore(f.path, "options");
    const letterKeys = (share(f, "object") >= 0.5 || share(f, "array") >= 0.5) && hasLetterKeys(ctx, f.path);
    if (name < 0.5 && !letterKeys) continue;
    const vals = samples(ctx, f.path);
    const parsed = vals.map(parseOptions);
    const parses = vals.length > 0 && parsed.filter(Boolean).length >= Math.ceil(vals.length * 0.8);
    // Dict options may be profiled as children only (`options.A`): the shape stands in for values.
    if (!parses && !letterKeys) continue;
    const score = name + (letterKeys ? 0.5 : 0) + (parses ? 0.3 : 0);
    if (!best || score > best.score) best = { path: f.path, score };
  }
  // Options spread over sibling columns (CSV exports: A, B, C, D or opa, opb, ...).
  for (const group of siblingOptionGroups(ctx.profile.fields.map((f) => f.path))) {
    if (explode && group.some((p) => p.includes("[]"))) continue;
    const strings = group.every((p) => share(ctx.byPath.get(p)!, "string", "number", "integer") >= 0.5);
    const score = 0.8 + 0.05 * group.length;
    if (strings && (!best || score > best.score)) best = { path: group.join(OPTION_PATH_SEPARATOR), score };
  }
  return best?.path;
}

/** An array of conversation turns ({role|from, content|value}): the source is already chat data. */
function findChat(ctx: Ctx): string | undefined {
  for (const f of ctx.profile.fields) {
    if (f.path.includes("[]") || share(f, "array") < 0.5) continue;
    const el = ctx.byPath.get(f.path + "[]");
    if (!el || share(el, "object") < 0.5) continue;
    const vals = samples(ctx, f.path);
    if (vals.length && vals.filter((v) => firstExchange(v) !== null).length >= Math.ceil(vals.length * 0.8)) return f.path;
  }
  return undefined;
}

/** A profile entry for a conversation's user or assistant turn, from the sampled examples. */
function turnField(ctx: Ctx, path: string): FieldProfile {
  const texts = samples(ctx, path).map(str);
  const short = texts.length > 0 && texts.every((t) => t.length <= 30);
  const counts = new Map<string, number>();
  for (const t of texts) counts.set(t, (counts.get(t) ?? 0) + 1);
  const f: FieldProfile = { path, types: { string: texts.length || 1 }, presence: 1, meanChars: texts.length ? texts.reduce((a, t) => a + t.length, 0) / texts.length : 0 };
  // Short answers are treated as labels: their few sampled values stand in for frequent values.
  if (short) Object.assign(f, { distinctRatio: 0, topValues: [...counts].map(([value, count]) => ({ value, count })) });
  return f;
}

function findTests(ctx: Ctx, exclude: string[]): string | undefined {
  let best: { path: string; score: number } | undefined;
  for (const f of ctx.profile.fields) {
    if (f.path.endsWith("[]") || exclude.some((e) => under(f.path, e))) continue;
    const name = nameScore(f.path, "tests");
    if (name < 0.6) continue;
    const vals = samples(ctx, f.path).map(str);
    if (!vals.length || !vals.some((v) => /\bassert\b|def check|unittest/.test(v))) continue;
    if (!best || name > best.score) best = { path: f.path, score: name };
  }
  return best?.path;
}

interface AnswerChoice {
  path: string;
  transform: AnswerTransform;
  /** 0..1: how well the field can produce the contract's answer. */
  compat: number;
  labelMap?: Record<string, string>;
  /** The transformed answer already carries worked reasoning. */
  carriesReasoning: boolean;
  why: string;
}

/** How well one field can become the contract's answer, and through which transform. */
function answerCompat(ctx: Ctx, f: FieldProfile, options?: string, questionHint?: string): AnswerChoice | null {
  const { contract } = ctx;
  const path = f.path;
  const vals = samples(ctx, path);
  const texts = vals.map(str);
  const counts = valueCounts(ctx, path);
  const numericType = share(f, "number", "integer") >= 0.8;
  const stringType = share(f, "string") >= 0.5;
  const listType = share(f, "array") >= 0.5;
  const mean = f.meanChars ?? (texts.length ? texts.reduce((s, t) => s + t.length, 0) / texts.length : 0);
  const numericText = counts.length > 0 && counts.every((c) => parsePlainNumber(c.value) !== null);
  const hasMarker = texts.filter((t) => t.includes("\n") && finalLineMarker(t) !== null).length >= Math.max(1, texts.length / 2);
  const hasBoxed = texts.some((t) => t.includes("\\boxed"));
  const leadingNumber = texts.length > 0 && texts.every((t) => /^\s*[-+]?\$?\d[\d,]*(\.\d+)?\b/.test(t));
  const letters = counts.length > 0 && counts.every((c) => asLetter(c.value) !== null);
  const choice = (transform: AnswerTransform, compat: number, why: string, carriesReasoning = false, labelMap?: Record<string, string>): AnswerChoice => ({
    path,
    transform,
    compat,
    why,
    carriesReasoning,
    ...(labelMap ? { labelMap } : {}),
  });

  switch (contract.answer.kind) {
    case "option_letter": {
      if (!options) return null;
      const allowed = new Set(contract.answer.letters);
      if (letters) {
        const inSet = counts.filter((c) => allowed.has(asLetter(c.value)!)).reduce((s, c) => s + c.count, 0) / Math.max(1, counts.reduce((s, c) => s + c.count, 0));
        return choice("letter", 0.4 + 0.6 * inSet, `letters ${counts.map((c) => c.value).slice(0, 6).join("/")}`);
      }
      if (share(f, "integer") >= 0.8 && counts.length) {
        const nums = counts.map((c) => Number(c.value));
        const min = Math.min(...nums);
        return choice(min >= 1 ? "letter_from_index1" : "letter_from_index", 0.8, `option index ${min >= 1 ? "1" : "0"}-based`);
      }
      if (stringType && mean < 200 && nameScore(path, "answer") >= 0.6) return choice("letter_from_option_text", 0.5, "answer repeats an option's text");
      return null;
    }
    case "label": {
      const labels = contract.answer.labels;
      if (!stringType && share(f, "boolean") < 0.5) return null;
      // A label field repeats a few values; free text (instruction-following outputs) only sometimes says "No".
      if (!f.topValues?.length && (f.distinctRatio ?? 1) > 0.2) return null;
      if (f.topValues?.length && (f.distinctRatio ?? 0) > 0.5) return null;
      const map: Record<string, string> = {};
      let mapped = 0;
      for (const c of counts) {
        const l = matchLabel(c.value, labels);
        if (l) {
          map[c.value] = l;
          mapped += c.count;
        }
      }
      if (!mapped) return null;
      // Share of all present values that land in the label set (frequent values only are known).
      const total = f.topValues?.length ? presentCount(ctx, path) : counts.reduce((s, c) => s + c.count, 0);
      const coverage = Math.min(1, mapped / total);
      const covered = new Set(Object.values(map)).size / labels.length;
      return choice("label_normalize", Math.min(1, 0.7 * coverage + 0.3 * covered), `${Math.round(coverage * 100)}% of values map onto ${labels.join("/")}`, false, map);
    }
    case "marker":
    case "number":
    case "boxed": {
      const boxedContract = contract.answer.kind === "boxed";
      if (boxedContract && hasBoxed) return choice("keep_boxed", 1, "solution already ends in \\boxed{}", mean > 80);
      if (numericType) return choice("number_from_value", 0.85, "numeric field");
      if (stringType && numericText) return choice("number_from_value", 0.8, "numbers written as text");
      if (stringType && hasMarker) return choice("number_from_text", 1, "solution ends in a final-answer line", true);
      if (stringType && hasBoxed) return choice("boxed_to_marker", 0.8, "\\boxed{} solutions (kept when the answer is a plain number)", true);
      if (stringType && leadingNumber) return choice("number_from_text", 0.75, "answer starts with a number (units dropped)");
      if (letters && options) return choice("number_from_option", 0.55, "letter answer: the number in the chosen option");
      // Long solutions whose ending the profile truncated: parse the final number at run time.
      const truncated = texts.some((t) => /(…|\.\.\.)(?: \[\+\d+ chars\])?$/.test(t.trim()));
      const markerShare = texts.length ? texts.filter((t) => finalLineMarker(t) !== null).length / texts.length : 0;
      if (stringType && markerShare >= 0.5) return choice("number_from_text", 0.9, "answer ends in 'the answer is <number>'");
      const arithmetic = texts.filter((t) => /\d\s*[-+*/×=]\s*\d/.test(t)).length >= Math.max(1, texts.length / 2);
      if (stringType && mean > 60 && nameScore(path, "answer") >= 0.6 && truncated && arithmetic) {
        return choice("number_from_text", 0.45, "final number parsed from the solution text", true);
      }
      return null;
    }
    case "code": {
      if (!stringType) return null;
      const codeShare = texts.length ? texts.filter(looksLikeCode).length / texts.length : 0;
      if (codeShare === 0 && (texts.length > 0 || !/code|program|function/i.test(leafName(path)))) return null;
      const lang = texts.map(codeLanguage).find(Boolean);
      const wrongLanguage = lang && lang !== contract.answer.language;
      const compat = Math.max(0.3, Math.min(1, 0.4 + 0.6 * codeShare - (wrongLanguage ? 0.3 : 0)));
      const fencedSource = texts.some((t) => t.includes("```"));
      let transform: AnswerTransform = "code";
      // Completion benchmarks want signature + docstring in, body out: whole Python functions split
      // that way. A question that is itself code (a signature to continue) keeps its answers.
      const questions = questionHint ? samples(ctx, questionHint).map(str) : [];
      const codeQuestion = questions.some((q) => /^\s*def\s+\w+\s*\(/m.test(q));
      if (contract.answer.style === "completion" && contract.answer.language === "python" && !texts.every((t) => /^[ \t]+\S/.test(t))) {
        if (!codeQuestion) transform = "code_completion";
      } else if (contract.answer.fenced && !fencedSource) transform = "code_fenced";
      else if (!contract.answer.fenced && fencedSource) transform = "code_unfenced";
      return choice(transform, compat, `${Math.round(codeShare * 100)}% of sampled answers read as code${lang ? ` (${lang})` : ""}`);
    }
    case "free_text": {
      if (!stringType && !numericType && !listType) return null;
      if (letters && options) return choice("option_text_from_letter", 0.7, "letter answer rendered as the option's text");
      return choice("text", stringType || listType ? 0.85 : 0.7, "free-text answer");
    }
  }
}

function findAnswer(ctx: Ctx, exclude: string[], options: string | undefined, explode: string | undefined): AnswerChoice | null {
  let best: { c: AnswerChoice; score: number } | undefined;
  // The likeliest question field by name, so code answers can tell a signature prompt from prose.
  const questionHint = ctx.profile.fields
    .filter((f) => !f.path.endsWith("[]") && !exclude.some((e) => under(f.path, e)) && share(f, "string") >= 0.5)
    .sort((a, b) => nameScore(b.path, "question") - nameScore(a.path, "question"))[0]?.path;
  for (const f of ctx.profile.fields) {
    if (f.path.endsWith("[]") || exclude.some((e) => under(f.path, e))) continue;
    if (explode && f.path.includes("[]") && !f.path.startsWith(explode + "[].")) continue;
    if (!explode && f.path.includes("[]") && share(f, "array") < 0.5) continue;
    if (share(f, "object") >= 0.5 || isMetaName(f.path)) continue;
    const name = nameScore(f.path, "answer");
    const same = ctx.contract.answerField === f.path ? 0.6 : 0;
    const c = answerCompat(ctx, f, options, questionHint);
    if (!c) continue;
    // The name must agree a little unless the values do all the work (labels, letters).
    if (name + same < 0.3 && !["label_normalize", "letter"].includes(c.transform)) continue;
    const score = c.compat + 0.6 * name + same;
    if (!best || score > best.score) best = { c, score };
  }
  return best?.c ?? null;
}

function findQuestion(ctx: Ctx, exclude: string[], explode?: string): string | undefined {
  let best: { path: string; score: number } | undefined;
  for (const f of ctx.profile.fields) {
    if (f.path.endsWith("[]") || exclude.some((e) => under(f.path, e))) continue;
    if (f.path.includes("[]") && !(explode && f.path.startsWith(explode + "[]."))) continue;
    if (share(f, "string") < 0.5 || (f.meanChars ?? 0) < 8 || isMetaName(f.path)) continue;
    let score = nameScore(f.path, "question");
    if (ctx.contract.fields?.question === f.path) score += 0.6;
    if (nameScore(f.path, "answer") >= 0.6 || nameScore(f.path, "rationale") >= 0.6) score -= 0.5;
    // Passages named as such (background, context) are context, not the question.
    if (nameScore(f.path, "context") >= 0.8 && nameScore(f.path, "context") > nameScore(f.path, "question")) score -= 0.4;
    if ((f.distinctRatio ?? 1) < 0.5) score -= 0.3;
    // Prompt templates that end in "Output:"/"Answer:" duplicate an instruction field.
    if (samples(ctx, f.path).some((v) => /(?:output|answer|response)\s*:\s*$/i.test(str(v)))) score -= 0.2;
    score += Math.min(0.15, (f.meanChars ?? 0) / 2000);
    if (!best || score > best.score) best = { path: f.path, score };
  }
  return best && best.score > 0.1 ? best.path : undefined;
}

function isContextLike(ctx: Ctx, f: FieldProfile): boolean {
  const name = nameScore(f.path, "context");
  if (share(f, "string") >= 0.5) return (f.meanChars ?? 0) >= 150 || ((f.meanChars ?? 0) >= 40 && name >= 0.5);
  if (share(f, "array") >= 0.5) {
    const el = ctx.byPath.get(f.path + "[]");
    if (!el) return false;
    if (share(el, "string") >= 0.5) return (el.meanChars ?? 0) >= 40 || ((el.meanChars ?? 0) >= 15 && name >= 0.9);
    if (share(el, "array") >= 0.5) return name >= 0.5 || (el.meanItems ?? 0) >= 2;
    if (share(el, "object") >= 0.5) {
      return ctx.profile.fields.some((c) => c.path.startsWith(f.path + "[].") && !c.path.slice(f.path.length + 3).includes(".") && share(c, "string") >= 0.5 && (c.meanChars ?? 0) >= 60);
    }
  }
  return false;
}

/** True when the sampled values of `path` contain the sampled question text (templated prompts). */
function repeats(ctx: Ctx, path: string, question: string): boolean {
  const qs = samples(ctx, question).map((v) => str(v).trim().slice(0, 60)).filter((q) => q.length >= 10);
  const vs = samples(ctx, path).map(str);
  return qs.length > 0 && vs.length > 0 && qs.some((q) => vs.some((v) => v.includes(q)));
}

/** Passages and tables, plus short input fields that complete the question (an instruction's optional `input`, a word problem's `Body` before its `Question`). */
function findContext(ctx: Ctx, exclude: string[], question: string | undefined, explode?: string): string[] {
  const out: string[] = [];
  const wanted = ctx.contract.fields?.context ?? [];
  for (const f of ctx.profile.fields) {
    const p = f.path;
    if (p.endsWith("[]") || exclude.some((e) => under(p, e) || under(e, p))) continue;
    if (p.includes("[]") && !(explode && p.startsWith(explode + "[].") && !p.slice(explode.length + 3).includes("[]"))) continue;
    if (out.some((o) => under(p, o))) continue;
    if (isMetaName(p) || nameScore(p, "rationale") >= 0.6 || nameScore(p, "answer") >= 0.6 || nameScore(p, "tests") > 0.2) continue;
    if ((f.presence ?? 1) < 0.05) continue;
    // A prompt template that already holds the question would repeat it.
    if (question && repeats(ctx, p, question)) continue;
    if (wanted.includes(p) || isContextLike(ctx, f)) {
      out.push(p);
      continue;
    }
    // A second input text next to the question (same record, varied values).
    const inputish = Math.max(nameScore(p, "context"), nameScore(p, "question"));
    if (question && share(f, "string") >= 0.5 && inputish >= 0.4 && (f.distinctRatio ?? 1) >= 0.3 && (f.meanChars ?? 0) >= 3) out.push(p);
  }
  return out;
}

function findRationale(ctx: Ctx, exclude: string[], answerPath: string | undefined, explode?: string): { path: string; equation: boolean } | undefined {
  let best: { path: string; score: number; equation: boolean } | undefined;
  const answerChars = answerPath ? (ctx.byPath.get(answerPath)?.meanChars ?? 0) : 0;
  for (const f of ctx.profile.fields) {
    const p = f.path;
    if (p === answerPath || p.endsWith("[]") || exclude.some((e) => under(p, e))) continue;
    if (p.includes("[]") && !(explode && p.startsWith(explode + "[]."))) continue;
    // Worked steps come as one text or as a list of step strings.
    const stepList = share(f, "array") >= 0.5 && share(ctx.byPath.get(p + "[]"), "string") >= 0.5;
    if (!stepList && (share(f, "string") < 0.5 || (f.meanChars ?? 0) < 3)) continue;
    let score = nameScore(p, "rationale");
    if (ctx.contract.fields?.rationale === p) score += 0.5;
    if (score < 0.4) continue;
    const leaf = normName(leafName(p));
    const equation = /equation|formula|expression|program/.test(leaf) || samples(ctx, p).every((v) => /^[\s\d.+\-*/()=x×÷^%,]+$/i.test(str(v)));
    if (!equation && !stepList && (f.meanChars ?? 0) <= answerChars) continue;
    if (equation) score -= 0.2;
    if (!best || score > best.score) best = { path: p, score, equation };
  }
  return best ? { path: best.path, equation: best.equation } : undefined;
}

/** Sampled values are Python signatures that stop mid-line (the answer goes on from there). */
function isCodePrefix(ctx: Ctx, path: string): boolean {
  const vals = samples(ctx, path).map(str);
  return vals.length > 0 && vals.every((v) => /^\s*def\s+\w+\s*\(/m.test(v) && !/\n\s*$/.test(v));
}

function findSystem(ctx: Ctx): string | undefined {
  return ctx.profile.fields.find((f) => !f.path.includes("[]") && nameScore(f.path, "system") >= 0.9 && share(f, "string") >= 0.5)?.path;
}

// ---------------------------------------------------------------------------------------------

export function mapSource(profile: SourceProfile, contract: TaskContract): SourceMapping {
  const ctx: Ctx = { profile, contract, byPath: new Map(profile.fields.map((f) => [f.path, f])), notes: [] };
  const notes = ctx.notes;
  const chat = findChat(ctx);
  if (chat) return mapChat(ctx, chat);
  const explode = findExplode(ctx);
  if (explode) notes.push(`one record per element of '${explode}'`);

  const options = findOptions(ctx, explode);
  const tests = contract.answer.kind === "code" ? findTests(ctx, options ? [options] : []) : undefined;
  const taken = [options, tests].filter((x): x is string => !!x);
  const answer = findAnswer(ctx, taken, options, explode);
  const rationale = answer ? findRationale(ctx, [...taken, answer.path], answer.path, explode) : undefined;
  const question = findQuestion(ctx, [...taken, ...(answer ? [answer.path] : []), ...(rationale ? [rationale.path] : [])], explode);
  const context = findContext(ctx, [...taken, ...[answer?.path, rationale?.path, question].filter((x): x is string => !!x)], question, explode).filter(
    (p) => !(explode && p === explode),
  );
  const system = findSystem(ctx);

  // Code continued from a signature cut mid-line: prefix + answer is the whole function.
  let qPath = question;
  let ctxPaths = context;
  let transform = answer?.transform;
  const prefix = contract.answer.kind === "code" && answer && transform !== "code_completion" ? [question, ...context].find((p) => !!p && isCodePrefix(ctx, p)) : undefined;
  if (prefix) {
    transform = "code_continuation";
    ctxPaths = context.filter((p) => p !== prefix);
    if (prefix === question && ctxPaths.length) [qPath, ...ctxPaths] = ctxPaths;
  }

  const roles: SourceRoles = {};
  if (qPath) roles.question = qPath;
  if (ctxPaths.length) roles.context = ctxPaths;
  if (prefix) roles.prefix = prefix;
  if (options) roles.options = options;
  if (answer) roles.answer = answer.path;
  // Rationale only where the contract wants reasoning and the answer does not carry it already.
  const wantRationale = contract.reasoning && answer && !answer.carriesReasoning && rationale;
  if (wantRationale) roles.rationale = rationale.path;
  if (system) roles.system = system;
  if (tests) roles.tests = tests;

  if (qPath) notes.push(`question: '${qPath}'`);
  else notes.push("no question-like field found");
  if (answer) notes.push(`answer: '${answer.path}' via ${transform} (${answer.why})`);
  else notes.push(`no field can produce the contract's answer (${contract.describe})`);
  if (prefix) notes.push(`'${prefix}' is a signature the answer continues`);
  if (ctxPaths.length) notes.push(`context: ${ctxPaths.map((c) => `'${c}'`).join(", ")}`);
  if (options) notes.push(`options: '${options}'`);
  if (wantRationale) notes.push(`rationale: '${rationale.path}'${rationale.equation ? " (equation)" : ""}`);
  if (tests) notes.push(`tests: '${tests}'`);

  // Compatibility: question and answer dominate; options, context and reasoning refine.
  const q = question ? 1 : 0;
  const a = answer?.compat ?? 0;
  const opt = contract.hasOptions ? (options ? 1 : 0) : options ? 0.6 : 1;
  const ctxFit = contract.hasContext ? (context.some((c) => isContextLike(ctx, ctx.byPath.get(c)!)) ? 1 : 0.3) : 1;
  const rea = contract.reasoning ? (answer?.carriesReasoning || wantRationale ? 1 : 0.4) : 1;
  const benchPaths = [...contract.inputFields, ...(contract.answerField ? [contract.answerField] : [])];
  const same = benchPaths.length ? benchPaths.filter((p) => ctx.byPath.has(p)).length / benchPaths.length : 0;
  const score = Math.max(0, Math.min(1, 0.2 * q + 0.45 * a + 0.1 * opt + 0.1 * ctxFit + 0.1 * rea + 0.05 * same));
  if (contract.hasContext && ctxFit < 1) notes.push("the benchmark embeds context this source lacks");
  if (contract.hasOptions && !options) notes.push("the benchmark shows options this source lacks");
  if (!contract.hasOptions && options) notes.push("source items carry options the benchmark does not show");
  if (same === 1) notes.push("same schema as the benchmark");
  const ok = !!question && !!answer && a >= 0.3 && (contract.answer.kind !== "option_letter" || !!options);

  return {
    ok,
    score: Math.round(score * 1000) / 1000,
    roles,
    ...(explode ? { explode } : {}),
    answerTransform: transform ?? "text",
    notes,
    ...(answer?.labelMap ? { labelMap: answer.labelMap } : {}),
    ...(wantRationale && rationale.equation ? { rationaleIsEquation: true } : {}),
  };
}

/** A source already in chat format: its first exchange is the item, the assistant turn the answer. */
function mapChat(ctx: Ctx, path: string): SourceMapping {
  const { contract } = ctx;
  const user = `${path}#user`;
  const assistant = `${path}#assistant`;
  const answer = answerCompat(ctx, turnField(ctx, assistant), undefined, user);
  const hasSystem = samples(ctx, `${path}#system`).length > 0;
  const a = answer?.compat ?? 0;
  const rea = contract.reasoning ? (answer?.carriesReasoning ? 1 : 0.4) : 1;
  const score = Math.max(0, Math.min(1, 0.2 + 0.45 * a + (contract.hasOptions ? 0 : 0.1) + (contract.hasContext ? 0.03 : 0.1) + 0.1 * rea));
  const notes = [`chat-format source: the first user turn of '${path}' is the question, the assistant's reply the answer`];
  if (answer) notes.push(`answer via ${answer.transform} (${answer.why})`);
  else notes.push(`the assistant turns cannot produce the contract's answer (${contract.describe})`);
  if (contract.hasOptions) notes.push("the benchmark shows options this source lacks");
  return {
    ok: !!answer && a >= 0.3 && contract.answer.kind !== "option_letter",
    score: Math.round(score * 1000) / 1000,
    roles: { question: user, answer: assistant, ...(hasSystem ? { system: `${path}#system` } : {}) },
    answerTransform: answer?.transform ?? "text",
    notes,
    ...(answer?.labelMap ? { labelMap: answer.labelMap } : {}),
  };
}
