/**
 * Infers the benchmark's input/output contract from the few examples agents may see, read
 * together with the task's own words (instruction, benchmark description and metric).
 *
 * Examples alone are too few (three records rarely show every label), and text alone is
 * ambiguous, so every decision combines both: a label list in the text counts only when the
 * example answers fall inside it; an answer field is chosen by name and confirmed by its values.
 * Nothing here knows a particular dataset.
 */
import type { FieldProfile } from "../data/types.js";
import type { AnswerFormat, ContractFields, TaskContract } from "./contract.js";
import type { TaskSpec } from "./spec.js";
import { fieldStats, valuesAt } from "./record-fields.js";
import {
  asLetter,
  codeLanguage,
  detectLanguage,
  finalLineMarker,
  isMetaName,
  lettersFor,
  looksLikeCode,
  nameScore,
  OPTION_PATH_SEPARATOR,
  parseOptions,
  parsePlainNumber,
  siblingOptionGroups,
} from "./field-roles.js";

export interface InferContractOptions {
  /** More benchmark records (the verifier may read the whole file): refines label and letter sets. */
  moreRecords?: Record<string, unknown>[];
}

/** Closed label families: used only to complete a set with members the task text names. */
const LABEL_FAMILIES = [
  ["yes", "no", "maybe"],
  ["true", "false"],
  ["positive", "negative", "neutral"],
  ["entailment", "neutral", "contradiction"],
  ["supports", "refutes", "not enough info"],
  ["agree", "disagree", "neutral"],
];

const LABEL_NAMES = ["label", "gold", "target", "y", "sentiment", "class", "category", "decision", "verdict", "polarity", "stance", "emotion", "classification", "finaldecision", "goldlabel"];

/** Everything the task says about itself, as one text. */
export function taskText(spec: TaskSpec): string {
  const b = spec.benchmark;
  return [spec.instruction, b.name, b.description, b.metric].filter(Boolean).join("\n");
}

const isScalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";
const str = (v: unknown): string => (typeof v === "string" ? v : Array.isArray(v) ? v.map(str).join("\n") : v == null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v));
const normLabel = (v: unknown) => String(v).trim().toLowerCase().replace(/[.!]+$/, "");

// ---------------------------------------------------------------------------------------------
// Reading the task text

/** Word lists the text spells out: "positive, negative or neutral", "yes/no/maybe". */
export function textLists(text: string): string[][] {
  const t = text.replace(/[“”"'‘’`]/g, "");
  const found: { at: number; items: string[] }[] = [];
  for (const m of t.matchAll(/\b[A-Za-z][\w-]*(?:\s*\/\s*[A-Za-z][\w-]*)+/g)) {
    const items = m[0].split("/").map((s) => s.trim().toLowerCase());
    if (!items.includes("or") && !items.includes("and")) found.push({ at: m.index, items });
  }
  for (const m of t.matchAll(/\b[A-Za-z][\w-]*(?:\s*,\s*[A-Za-z][\w-]*)*,?\s+(?:or|and)\s+[A-Za-z][\w-]*/g)) {
    found.push({ at: m.index, items: m[0].split(/\s*,\s*|\s+(?:or|and)\s+/).map((s) => s.trim().toLowerCase()).filter(Boolean) });
  }
  // In text order, so the instruction's own wording of a label list comes first.
  return found
    .sort((a, b) => a.at - b.at)
    .map((f) => f.items)
    .filter((l) => l.length >= 2 && new Set(l).size === l.length);
}

/** A marker the text quotes as a template, e.g. "'#### <number>'" → "####". */
export function textMarker(text: string): string | null {
  const m = /[`'"‘“]\s*([^`'"’”<>]{1,30}?)\s*<\s*(?:number|answer|n|num|value|integer|result|final answer)\s*>\s*[`'"’”]/i.exec(text);
  if (!m) return null;
  const prefix = m[1]!.trim();
  return prefix && !/^\\boxed/.test(prefix) ? prefix : null;
}

const REASONING_TEXT = /step[- ]by[- ]step|show (?:your|the|their) work|explain|chain[- ]of[- ]thought|worked[- ]out|worked solutions?|\bthink (?:it )?(?:through|briefly|first|carefully|aloud)|justify|\breason(?:s|ing)?\b(?! (?:the )?(?:yes|no))/i;
const SHORT_ANSWER_TEXT = /exactly one (?:word|letter|label|option)|only (?:the|one|a) (?:letter|label|word|number)|single (?:word|letter|label)|just the (?:letter|label|word|number)/i;
const CODE_TEXT = /\b(?:code|function|functions|program|programs|script|unit tests?|pass@\d|python|javascript|typescript|sql|snippet)\b/i;

// ---------------------------------------------------------------------------------------------
// Finding the benchmark's fields

interface Layout {
  question?: string;
  answer?: string;
  options?: string;
  tests?: string;
  testsShown: boolean;
  rationale?: string;
  context: string[];
  explode?: string;
}

const under = (path: string, root: string): boolean =>
  root.includes(OPTION_PATH_SEPARATOR)
    ? root.split(OPTION_PATH_SEPARATOR).some((r) => under(path, r))
    : path === root || path.startsWith(root + ".") || path.startsWith(root + "[]");

/** Values of a path; sibling option fields (`A|B|C`) read as one list per record. */
function valuesOf(record: Record<string, unknown>, path: string): unknown[] {
  if (!path.includes(OPTION_PATH_SEPARATOR)) return valuesAt(record, path);
  const list = path.split(OPTION_PATH_SEPARATOR).map((p) => valuesAt(record, p)[0]).filter((v) => v !== undefined && v !== "");
  return list.length ? [list] : [];
}
const typeShare = (f: FieldProfile, ...ts: string[]) => {
  const total = Object.entries(f.types).reduce((s, [t, c]) => (t === "null" ? s : s + (c ?? 0)), 0);
  return total ? ts.reduce((s, t) => s + (f.types[t as keyof typeof f.types] ?? 0), 0) / total : 0;
};

function findOptions(records: Record<string, unknown>[], stats: FieldProfile[]): string | undefined {
  let best: { path: string; score: number } | undefined;
  for (const f of stats) {
    if (f.path.endsWith("[]")) continue;
    const vals = records.flatMap((r) => valuesAt(r, f.path));
    if (!vals.length) continue;
    const parsed = vals.map(parseOptions);
    if (parsed.some((p) => !p)) continue;
    const structural = vals.every((v) => typeof v === "object");
    const name = nameScore(f.path, "options");
    // Without a telling name only letter-keyed shapes count: a list of paragraph objects or
    // prose with "a) ... b) ..." is not an options field.
    if (name < 0.5 && !(structural && vals.every(hasLetterKeys))) continue;
    const score = name + (structural ? 0.5 : 0);
    if (!best || score > best.score) best = { path: f.path, score };
  }
  // One option per sibling field (A, B, C, D columns).
  for (const group of siblingOptionGroups(stats.map((f) => f.path))) {
    const score = 0.8 + 0.05 * group.length;
    if (!best || score > best.score) best = { path: group.join(OPTION_PATH_SEPARATOR), score };
  }
  return best?.path;
}

/** Options whose letters are spelled out: {"A": ..} dicts or [{"label": "A", ..}] lists. */
function hasLetterKeys(v: unknown): boolean {
  if (Array.isArray(v)) return v.every((x) => x && typeof x === "object" && Object.values(x).some((y) => asLetter(y) !== null && String(y).trim().length <= 3));
  return !!v && typeof v === "object" && Object.keys(v).every((k) => asLetter(k) !== null);
}

function findTests(records: Record<string, unknown>[], stats: FieldProfile[], exclude: string[]): string | undefined {
  let best: { path: string; score: number } | undefined;
  for (const f of stats) {
    if (f.path.endsWith("[]") || exclude.some((e) => under(f.path, e))) continue;
    const name = nameScore(f.path, "tests");
    if (name < 0.6) continue;
    const vals = records.flatMap((r) => valuesAt(r, f.path)).map(str);
    if (!vals.length || !vals.every((v) => /\bassert\b|def check|unittest/.test(v))) continue;
    if (!best || name > best.score) best = { path: f.path, score: name };
  }
  return best?.path;
}

interface AnswerPick {
  path: string;
  score: number;
}

function findAnswer(
  records: Record<string, unknown>[],
  stats: FieldProfile[],
  exclude: string[],
  ctx: { optionLetters: Set<string>; optionCount: number; lists: string[][]; codeTask: boolean },
): string | undefined {
  let best: AnswerPick | undefined;
  for (const f of stats) {
    if (f.path.endsWith("[]") || exclude.some((e) => under(f.path, e))) continue;
    if (typeShare(f, "object") > 0.5) continue;
    const vals = records.flatMap((r) => valuesAt(r, f.path));
    if (!vals.length) continue;
    let score = nameScore(f.path, "answer");
    // Bookkeeping fields (answer_type, *_pred) never win on their values alone.
    if (isMetaName(f.path)) continue;
    const scalars = vals.filter(isScalar);
    if (scalars.length === vals.length && ctx.optionCount > 0) {
      const letterish = scalars.every((v) => {
        const l = asLetter(v);
        if (l) return ctx.optionLetters.has(l);
        return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= ctx.optionCount;
      });
      if (letterish) score += 1.5;
    }
    if (scalars.length === vals.length && ctx.lists.some((l) => scalars.every((v) => l.includes(normLabel(v))))) score += 1.5;
    else if (scalars.length === vals.length && LABEL_FAMILIES.some((fam) => scalars.every((v) => fam.includes(normLabel(v))))) score += 1;
    const texts = vals.map(str);
    if (texts.every((t) => finalLineMarker(t) !== null) && texts.every((t) => t.includes("\n"))) score += 0.5;
    if (ctx.codeTask && texts.filter(looksLikeCode).length >= Math.ceil(texts.length / 2)) score += 0.5;
    if (score < 0.4) continue;
    if (!best || score > best.score) best = { path: f.path, score };
  }
  return best?.path;
}

function findQuestion(stats: FieldProfile[], exclude: string[]): string | undefined {
  let best: { path: string; score: number } | undefined;
  for (const f of stats) {
    if (f.path.endsWith("[]") || exclude.some((e) => under(f.path, e))) continue;
    if (typeShare(f, "string") < 0.5 || (f.meanChars ?? 0) < 8) continue;
    if (isMetaName(f.path)) continue;
    let score = nameScore(f.path, "question");
    if (nameScore(f.path, "answer") >= 0.6 || nameScore(f.path, "rationale") >= 0.6) score -= 0.5;
    // Passages named as such (background, context) are context, not the question.
    if (nameScore(f.path, "context") >= 0.8 && nameScore(f.path, "context") > nameScore(f.path, "question")) score -= 0.4;
    if ((f.distinctRatio ?? 1) >= 0.9) score += 0.1;
    score += Math.min(0.2, (f.meanChars ?? 0) / 1000);
    if (!best || score > best.score) best = { path: f.path, score };
  }
  return best && best.score > 0.05 ? best.path : undefined;
}

/** Passages, lists of passages, tables and lists of paragraph objects. */
export function isContextField(f: FieldProfile, byPath: Map<string, FieldProfile>): boolean {
  const name = nameScore(f.path, "context");
  if (typeShare(f, "string") >= 0.5) return (f.meanChars ?? 0) >= 150 || ((f.meanChars ?? 0) >= 40 && name >= 0.5);
  if (typeShare(f, "array") >= 0.5) {
    const el = byPath.get(f.path + "[]");
    if (!el) return false;
    if (typeShare(el, "string") >= 0.5) return (el.meanChars ?? 0) >= 40 || ((el.meanChars ?? 0) >= 15 && name >= 0.9);
    if (typeShare(el, "array") >= 0.5) return true; // a table: rows of cells
    if (typeShare(el, "object") >= 0.5) {
      for (const [p, c] of byPath) {
        if (p.startsWith(f.path + "[].") && !p.slice(f.path.length + 3).includes(".") && typeShare(c, "string") >= 0.5 && (c.meanChars ?? 0) >= 60) return true;
      }
    }
  }
  return false;
}

function findContext(stats: FieldProfile[], exclude: string[]): string[] {
  const byPath = new Map(stats.map((f) => [f.path, f]));
  const out: string[] = [];
  for (const f of stats) {
    if (f.path.endsWith("[]") || exclude.some((e) => under(f.path, e) || under(e, f.path))) continue;
    if (out.some((o) => under(f.path, o))) continue;
    if (isMetaName(f.path) || nameScore(f.path, "rationale") >= 0.6 || nameScore(f.path, "answer") >= 0.6) continue;
    if (nameScore(f.path, "tests") > 0.2) continue;
    if (isContextField(f, byPath)) out.push(f.path);
  }
  return out;
}

function findRationale(records: Record<string, unknown>[], stats: FieldProfile[], answer: string | undefined, exclude: string[]): string | undefined {
  const answerChars = answer ? (stats.find((f) => f.path === answer)?.meanChars ?? 0) : 0;
  let best: { path: string; score: number } | undefined;
  for (const f of stats) {
    if (f.path === answer || f.path.endsWith("[]") || exclude.some((e) => under(f.path, e))) continue;
    if (typeShare(f, "string") < 0.5) continue;
    const score = nameScore(f.path, "rationale");
    if (score < 0.5 || (f.meanChars ?? 0) <= answerChars) continue;
    if (!records.some((r) => valuesAt(r, f.path).some((v) => str(v).trim().length > 0))) continue;
    if (!best || score > best.score) best = { path: f.path, score };
  }
  return best?.path;
}

function findLayout(records: Record<string, unknown>[], stats: FieldProfile[], text: string, lists: string[][]): Layout {
  const options = findOptions(records, stats);
  const optionSets = options ? records.flatMap((r) => valuesOf(r, options)).map(parseOptions) : [];
  const optionLetters = new Set(optionSets.flatMap((o) => (o ?? []).map((x) => x.letter)));
  const optionCount = Math.max(0, ...optionSets.map((o) => o?.length ?? 0));
  const tests = findTests(records, stats, options ? [options] : []);
  const taken = [options, tests].filter((x): x is string => !!x);
  const answer = findAnswer(records, stats, taken, { optionLetters, optionCount, lists, codeTask: CODE_TEXT.test(text) });
  const rationale = findRationale(records, stats, answer, [...taken]);
  const question = findQuestion(stats, [...taken, ...(answer ? [answer] : []), ...(rationale ? [rationale] : [])]);
  let explode: string | undefined;
  if (question?.includes("[]")) {
    const root = question.slice(0, question.indexOf("[]"));
    if (!answer || answer.startsWith(root + "[]")) explode = root;
  }
  const context = findContext(stats, [...taken, ...[answer, rationale, question, explode].filter((x): x is string => !!x)]);
  // Tests are input only when shown to the model ("given tests"), not when they are hidden.
  const testsShown = !!tests && !/\bhidden\b/i.test(text);
  return { question, answer, options, tests, testsShown, rationale, context, explode };
}

// ---------------------------------------------------------------------------------------------
// The answer format

function labelSet(values: unknown[], lists: string[][], text: string, answerPath: string | undefined, records: number): string[] | null {
  const scal = values.filter(isScalar);
  if (!scal.length || scal.length !== values.length) return null;
  const norm = scal.map(normLabel);
  const casing = new Map<string, string>();
  for (const v of scal) if (!casing.has(normLabel(v))) casing.set(normLabel(v), String(v).trim().replace(/[.!]+$/, ""));
  const cased = (l: string) => casing.get(l) ?? l;
  const corroborated = lists.filter((l) => norm.every((v) => l.includes(v))).sort((a, b) => a.length - b.length);
  // The smallest list containing every example answer: "yes, no or maybe" beats a long prose list.
  if (corroborated.length && corroborated[0]!.length <= 12) return corroborated[0]!.map(cased);
  const labelLike = norm.every((v) => /[a-z]/.test(v) && v.length <= 30 && v.split(/\s+/).length <= 3) && scal.every((v) => typeof v !== "number");
  if (!labelLike) return null;
  const distinct = [...new Set(norm)];
  const family = LABEL_FAMILIES.find((fam) => distinct.every((v) => fam.includes(v)));
  const labelName = answerPath ? LABEL_NAMES.includes(answerPath.split(".").pop()!.replace(/\[\]/g, "").toLowerCase().replace(/[^a-z]/g, "")) : false;
  const lowCardinality = records >= 8 && distinct.length <= Math.max(2, 0.3 * records);
  if (!family && !labelName && !lowCardinality) return null;
  const words = new Set(text.toLowerCase().match(/[a-z]+(?: [a-z]+)*/g)?.join(" ").split(/\s+/) ?? []);
  const extra = family ? family.filter((m) => !distinct.includes(m) && m.split(" ").every((w) => words.has(w))) : [];
  return [...distinct, ...extra].map(cased);
}

interface FormatDecision {
  answer: AnswerFormat;
  reasoning: boolean;
  numeric: boolean;
}

function decideFormat(records: Record<string, unknown>[], layout: Layout, text: string, lists: string[][]): FormatDecision {
  const answerVals = layout.answer ? records.flatMap((r) => valuesAt(r, layout.answer!)) : [];
  const answerTexts = answerVals.map(str);
  const rationaleTexts = layout.rationale ? records.flatMap((r) => valuesAt(r, layout.rationale!)).map(str) : [];
  const questionTexts = layout.question ? records.flatMap((r) => valuesAt(r, layout.question!)).map(str) : [];
  const textReason = REASONING_TEXT.test(text) && !SHORT_ANSWER_TEXT.test(text);
  const multiLine = answerTexts.length > 0 && answerTexts.filter((t) => t.trim().includes("\n")).length >= Math.ceil(answerTexts.length / 2);

  // Code: answers read as code (or the task is about code and most of them do).
  const codeShare = answerTexts.length ? answerTexts.filter(looksLikeCode).length / answerTexts.length : 0;
  if (codeShare >= 0.8 || (codeShare >= 0.5 && CODE_TEXT.test(text))) {
    const language = detectLanguage(text) ?? answerTexts.map(codeLanguage).find(Boolean) ?? "python";
    const bodies = answerTexts.filter((t) => /^[ \t]+\S/.test(t.replace(/^\n+/, ""))).length;
    const bodyOnly = bodies >= Math.max(1, 0.7 * answerTexts.length);
    const signatureInput = questionTexts.some((q) => /^\s*(def|function|fn|public)\s+\w+/m.test(q));
    return {
      answer: { kind: "code", language, style: bodyOnly && signatureInput ? "completion" : "function", fenced: answerTexts.some((t) => t.includes("```")) },
      reasoning: false,
      numeric: false,
    };
  }

  // \boxed{}: named by the task or used by its solutions.
  if (/\\boxed/.test(text) || [...answerTexts, ...rationaleTexts].some((t) => t.includes("\\boxed{"))) {
    const finals = answerTexts.length ? answerTexts : rationaleTexts;
    return {
      answer: { kind: "boxed" },
      reasoning: textReason || multiLine || rationaleTexts.length > 0,
      numeric: finals.length > 0 && finals.every((t) => parsePlainNumber(t.includes("\\boxed") ? boxedOf(t) : t) !== null),
    };
  }

  // A final-line marker: quoted as a template in the text, or shared by every example answer.
  const valueMarkers = answerTexts.map(finalLineMarker);
  const sharedMarker = valueMarkers.length > 0 && valueMarkers.every((m) => m !== null && m === valueMarkers[0]) ? valueMarkers[0]! : null;
  const marker = textMarker(text) ?? sharedMarker;
  if (marker) return { answer: { kind: "marker", marker }, reasoning: textReason || multiLine, numeric: true };

  // Option letters: the item carries options and the answer names one of them.
  if (layout.options || /\bletter\b/i.test(text)) {
    const optionSets = layout.options ? records.flatMap((r) => valuesOf(r, layout.options!)).map(parseOptions) : [];
    const letters = new Set(optionSets.flatMap((o) => (o ?? []).map((x) => x.letter)));
    const answerLetters = answerVals.map(asLetter);
    const indexed = answerVals.length > 0 && answerVals.every((v) => typeof v === "number" && Number.isInteger(v));
    if (answerVals.length > 0 && (answerLetters.every(Boolean) || indexed)) {
      if (!letters.size) {
        const maxLetter = Math.max(3, ...answerLetters.map((l) => (l ? l.charCodeAt(0) - 64 : 0)));
        lettersFor(maxLetter).forEach((l) => letters.add(l));
      }
      for (const l of answerLetters) if (l) letters.add(l);
      return { answer: { kind: "option_letter", letters: [...letters].sort() }, reasoning: textReason || multiLine, numeric: false };
    }
  }

  const labels = labelSet(answerVals, lists, text, layout.answer, records.length);
  if (labels && labels.length >= 2) return { answer: { kind: "label", labels }, reasoning: textReason || multiLine, numeric: false };

  if (answerVals.length > 0 && answerVals.every((v) => parsePlainNumber(Array.isArray(v) && v.length === 1 ? v[0] : v) !== null)) {
    if (textReason) return { answer: { kind: "marker", marker: "The answer is" }, reasoning: true, numeric: true };
    return { answer: { kind: "number" }, reasoning: false, numeric: true };
  }
  const numeric = answerVals.length > 0 && answerVals.every((v) => parsePlainNumber(v) !== null);
  return { answer: { kind: "free_text" }, reasoning: textReason || multiLine, numeric };
}

function boxedOf(t: string): string {
  const i = t.lastIndexOf("\\boxed{");
  if (i < 0) return t;
  let depth = 0;
  for (let k = i + 6; k < t.length; k++) {
    if (t[k] === "{") depth++;
    else if (t[k] === "}" && --depth === 0) return t.slice(i + 7, k);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Prompt and description

/** "Adapt a base LLM to solve X. More." → "Solve X." */
export function taskSentence(spec: TaskSpec): string {
  const first = (spec.instruction.match(/^[\s\S]*?[.!?](?=\s|$)/)?.[0] ?? spec.instruction).trim();
  const stripped = first.replace(/^(?:please\s+)?(?:adapt|train|fine-?tune|teach|specialis?ze|tune|prepare)\s+(?:a|an|the)?\s*(?:base\s+|pretrained\s+|pre-trained\s+|small\s+)*(?:llm|model|language model|lm|assistant)\s+(?:to|for|so that it can|so it can)\s+/i, "");
  const s = stripped.charAt(0).toUpperCase() + stripped.slice(1);
  return /[.!?]$/.test(s) ? s : s + ".";
}

function joinOr(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

export function describeFormat(answer: AnswerFormat, reasoning: boolean, hasContext: boolean): string {
  switch (answer.kind) {
    case "marker":
      return `${reasoning ? "step-by-step solution ending in" : "answer given as"} a final line '${answer.marker} <number>'`;
    case "boxed":
      return `${reasoning ? "worked solution with" : ""} the final answer in \\boxed{}`.trim();
    case "option_letter":
      return `${reasoning ? "brief reasoning, then " : ""}one option letter (${answer.letters.join("/")})`;
    case "label":
      return `${reasoning ? "brief reasoning, then " : ""}one label: ${answer.labels.join(" | ")}`;
    case "number":
      return "a bare number";
    case "code":
      return `${answer.language} code${answer.style === "completion" ? " completing the given signature (function body)" : ""}${answer.fenced ? " in a fenced block" : ""}`;
    case "free_text":
      return `short free-text answer${hasContext ? " grounded in the given context" : ""}`;
  }
}

function formatInstruction(answer: AnswerFormat, reasoning: boolean, hasContext: boolean): string {
  switch (answer.kind) {
    case "marker":
      return reasoning
        ? `Reason step by step, then give the final answer on its own last line in the form '${answer.marker} <number>'.`
        : `Give the final answer in the form '${answer.marker} <number>'.`;
    case "boxed":
      return reasoning ? "Reason step by step and put the final answer in \\boxed{}." : "Put the final answer in \\boxed{}.";
    case "option_letter":
      return reasoning
        ? `Think it through briefly, then end with a last line 'Answer: <letter>' naming one of ${answer.letters.join(", ")}.`
        : `Reply with the letter of the correct option (${answer.letters.join(", ")}) only.`;
    case "label":
      return reasoning
        ? `Explain briefly, then end with a last line 'Answer: <label>' where the label is ${joinOr(answer.labels)}.`
        : `Reply with exactly one word: ${joinOr(answer.labels)}.`;
    case "number":
      return "Reply with the final number only.";
    case "code":
      return answer.style === "completion"
        ? `Complete the given ${languageName(answer.language)} function: reply with the body of the function only.`
        : `Reply with ${languageName(answer.language)} code only${answer.fenced ? ", in a fenced code block" : ""}.`;
    case "free_text":
      return hasContext ? "Answer concisely, using only the given context." : "Answer concisely.";
  }
}

function languageName(lang: string): string {
  const names: Record<string, string> = { python: "Python", javascript: "JavaScript", typescript: "TypeScript", cpp: "C++", java: "Java", sql: "SQL", bash: "Bash", go: "Go", rust: "Rust", csharp: "C#", php: "PHP" };
  return names[lang] ?? lang;
}

function quantile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
}

function inputLengths(records: Record<string, unknown>[], layout: Layout, inputFields: string[]): number[] {
  const out: number[] = [];
  for (const r of records) {
    if (layout.explode && layout.question) {
      const base = inputFields.filter((p) => !p.startsWith(layout.explode + "[]")).reduce((s, p) => s + valuesAt(r, p).map(str).join("\n").length, 0);
      for (const q of valuesAt(r, layout.question)) out.push(base + str(q).length);
    } else {
      out.push(inputFields.reduce((s, p) => s + valuesOf(r, p).map(str).join("\n").length, 0));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export function inferContract(examples: Record<string, unknown>[], spec: TaskSpec, opts: InferContractOptions = {}): TaskContract {
  const records = [...examples, ...(opts.moreRecords ?? [])].filter((r) => r && typeof r === "object");
  const text = taskText(spec);
  const lists = textLists(text);
  const stats = fieldStats(records);
  const layout = findLayout(records, stats, text, lists);
  const { answer, reasoning, numeric } = decideFormat(records, layout, text, lists);

  const order = new Map(stats.map((f, i) => [f.path, i]));
  const inputs = [layout.question, ...layout.context, layout.options, layout.testsShown ? layout.tests : undefined].filter((x): x is string => !!x);
  // Sibling option fields are listed one by one; `fields.options` keeps them joined.
  const inputFields = [...new Set(inputs.flatMap((p) => p.split(OPTION_PATH_SEPARATOR)))].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  const hasContext = layout.context.length > 0;
  const hasOptions = !!layout.options || answer.kind === "option_letter";
  const lengths = inputLengths(records, layout, inputFields);

  const fields: ContractFields = {};
  if (layout.question) fields.question = layout.question;
  if (layout.context.length) fields.context = layout.context;
  if (layout.options) fields.options = layout.options;
  if (layout.tests && layout.testsShown) fields.tests = layout.tests;
  if (layout.rationale) fields.rationale = layout.rationale;
  if (layout.explode) fields.explode = layout.explode;

  const systemPrompt = [
    `Task: ${taskSentence(spec)}`,
    hasContext && answer.kind !== "free_text" ? "Base the answer on the context given with the question." : "",
    formatInstruction(answer, reasoning, hasContext),
  ]
    .filter(Boolean)
    .join(" ");

  return {
    answer,
    reasoning,
    numericAnswer: numeric,
    hasOptions,
    hasContext,
    inputFields,
    ...(layout.answer ? { answerField: layout.answer } : {}),
    systemPrompt,
    describe: describeFormat(answer, reasoning, hasContext),
    inputChars: { p50: quantile(lengths, 0.5), p95: quantile(lengths, 0.95) },
    fields,
  };
}
