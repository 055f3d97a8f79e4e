/**
 * What a field is for, judged from its name and its values: the vocabulary and value tests that
 * contract inference (benchmark side) and field mapping (source side) share, so both sides read
 * schemas the same way. Nothing here knows a dataset: only words, shapes and values.
 */

export type Role = "question" | "answer" | "context" | "options" | "rationale" | "tests" | "system";

/** Normalised field names (lower case, no separators) and how strongly they suggest a role. */
const VOCAB: Record<Role, Record<string, number>> = {
  question: {
    question: 1, questions: 0.8, query: 0.9, problem: 1, prompt: 0.8, instruction: 0.8, stem: 0.9, text: 0.5,
    sentence: 0.7, input: 0.5, premise: 0.6, claim: 0.6, utterance: 0.6, title: 0.3, body: 0.5, intent: 0.8,
    task: 0.4, description: 0.4, statement: 0.6, q: 0.8, request: 0.7, message: 0.5, content: 0.4, source: 0.2,
    tweet: 0.6, review: 0.6, headline: 0.6, goal: 0.5, inputs: 0.5, ask: 0.8, inquiry: 0.9, enquiry: 0.9, prompttext: 0.8,
    questiontext: 1, querytext: 0.9, posttitle: 0.4, postbody: 0.6,
  },
  answer: {
    answer: 1, answers: 0.9, answerkey: 1, answeridx: 0.95, answerindex: 0.95, answerletter: 1, answertext: 0.9,
    label: 0.9, gold: 0.9, goldlabel: 1, target: 0.8, y: 0.7, output: 0.8, response: 0.7, completion: 0.8,
    correct: 0.9, correctanswer: 1, correctoption: 1, finaldecision: 1, finalanswer: 1, decision: 0.8, solution: 0.8,
    canonicalsolution: 0.9, code: 0.6, sentiment: 0.9, class: 0.7, verdict: 0.9, result: 0.6, reference: 0.6,
    a: 0.6, cop: 0.6, labels: 0.4, outputs: 0.7, targets: 0.8, polarity: 0.8, stance: 0.8, emotion: 0.7,
    reply: 0.7, replies: 0.6, acceptedreply: 0.9, acceptedanswer: 1, bestanswer: 1, final: 0.7, finalvalue: 0.9,
  },
  context: {
    context: 1, contexts: 1, passage: 1, passages: 1, document: 0.9, documents: 0.9, article: 0.9, abstract: 0.9,
    paragraph: 1, paragraphs: 1, table: 1, tables: 1, evidence: 0.9, background: 0.8, story: 0.8, text: 0.5, body: 0.4,
    facts: 0.5, knowledge: 0.7, snippet: 0.7, snippets: 0.7, input: 0.5, support: 0.6, history: 0.5, dialogue: 0.6,
  },
  options: {
    options: 1, choices: 1, candidates: 0.8, alternatives: 0.8, endings: 0.8, option: 0.9, choice: 0.9, answers: 0.4,
    answeroptions: 1, answerchoices: 1, opts: 0.8,
  },
  rationale: {
    rationale: 1, explanation: 1, explain: 0.9, solution: 0.8, reasoning: 0.9, derivation: 0.9, steps: 0.8, cot: 1,
    chainofthought: 1, longanswer: 0.9, thought: 0.8, thoughts: 0.8, equation: 0.6, formula: 0.6, work: 0.5,
    justification: 0.9, exp: 0.6, analysis: 0.7, reason: 0.8, reasons: 0.8, workings: 0.8, proof: 0.7,
  },
  tests: {
    test: 0.9, tests: 1, testlist: 1, testcases: 1, unittests: 1, unittest: 1, asserts: 1, assertions: 1, checks: 0.6,
    testcode: 0.9, challengetestlist: 0.3,
  },
  system: { system: 1, systemprompt: 1, sys: 0.6, systemmessage: 1 },
};

/** Qualifiers that only mark bookkeeping next to no content word: `id`, but not `gold_index`. */
const WEAK_META = new Set(["id", "ids", "idx", "index", "realidx", "key", "num", "no"]);
/** Content words that keep a weakly qualified name a content field. */
const CORE = new Set(["answer", "gold", "label", "target", "correct", "question", "option", "options", "choice", "choices", "context", "solution", "output"]);

/** Tokens that mark bookkeeping fields (ids, provenance, annotator predictions, ...). */
const META = new Set([
  "uid", "uuid", "pid", "qid", "pmid", "url", "link", "year", "date", "time", "level", "type",
  "subject", "split", "order", "hash", "license", "name", "concept", "meshes", "mesh", "pred", "predicted",
  "prediction", "score", "probability", "confidence", "agreement", "annotator", "mapping", "mappings", "rel",
  "from", "setup", "entry", "point", "metadata", "meta", "author", "grade", "motivation", "app", "is",
  "count", "lang", "language", "domain", "category", "scale", "consts", "tag", "tags",
  "annotations", "annotated", "linear", "difficulty", "challenge", "semantic", "cuis", "group", "qtype",
]);

/** The last path segment without array markers, e.g. `questions[].question` → `question`. */
export function leafName(path: string): string {
  const segs = path.split(".");
  return (segs[segs.length - 1] ?? path).replace(/\[\d*\]/g, "");
}

/** The segment before the leaf, e.g. `QAPair.Question.text` → `Question`. */
export function parentName(path: string): string | undefined {
  const segs = path.split(".");
  return segs.length > 1 ? segs[segs.length - 2]!.replace(/\[\d*\]/g, "") : undefined;
}

export function normName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** camelCase, snake_case and kebab-case words of a name, lower-cased. */
export function nameTokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** The name's tokens hold a bookkeeping word (weak ones only count without a content word). */
function hasMetaToken(toks: string[]): boolean {
  const core = toks.some((t) => CORE.has(t));
  return toks.some((t) => (WEAK_META.has(t) ? !core : META.has(t)));
}

function leafScore(name: string, role: Role): number {
  const vocab = VOCAB[role];
  const n = normName(name);
  if (vocab[n] !== undefined) return vocab[n]!;
  const toks = nameTokens(name);
  let best = 0;
  for (const t of toks) best = Math.max(best, (vocab[t] ?? 0) * 0.7);
  if (best > 0 && hasMetaToken(toks)) best *= 0.3;
  return best;
}

/** 0..1: how strongly a path's name suggests `role` (the parent counts when the leaf is generic). */
export function nameScore(path: string, role: Role): number {
  const leaf = leafScore(leafName(path), role);
  const parent = parentName(path);
  if (!parent) return leaf;
  // `Question.text`, `QAPair.Answer`: a generic leaf under a telling parent.
  const generic = ["text", "value", "content", "body", "string", "en", "raw"].includes(normName(leafName(path)));
  const viaParent = generic ? leafScore(parent, role) * 0.9 : 0;
  return Math.max(leaf, viaParent);
}

/** True when the name is bookkeeping (ids, urls, annotator predictions) rather than content. */
export function isMetaName(path: string): boolean {
  const name = leafName(path);
  const n = normName(name);
  for (const role of Object.keys(VOCAB) as Role[]) if (VOCAB[role][n] !== undefined) return false;
  return hasMetaToken(nameTokens(name));
}

// ---------------------------------------------------------------------------------------------
// Value tests

/** Syntax only programs have: declarations, returns, prints, calls on objects. */
const STRONG_CODE = [
  /^\s*(def|class|import|from\s+[\w.]+\s+import|function|const|let|var|public|private|static|#include|using\s+namespace|package|fn|func|SELECT|CREATE\s+TABLE|INSERT\s+INTO)\b/im,
  /^\s*return\b/m,
  /\bprint\s*\(|console\.log\(|System\.out\.|\becho\s|cout\s*<</,
  /^\s*(if|for|while|elif|else|try|except|switch)\b.*[:{]\s*$/m,
];
/** Syntax code often has but prose and LaTeX rarely do. */
const WEAK_CODE = [/[;{]\s*$/m, /^(?: {2,}|\t)\S/m, /==|!=|\+=|:=|=>|->|&&|\|\|/, /\w+\.\w+\(/, /\w+\[[^\]\s]*\]/, /^\s*\w+\s*=\s*\S/m];

/** Heuristic: the string reads as source code rather than prose or LaTeX. */
export function looksLikeCode(s: string): boolean {
  if (!s || s.trim().length < 4) return false;
  if (/```/.test(s)) return true;
  const strong = STRONG_CODE.filter((re) => re.test(s)).length;
  const weak = WEAK_CODE.filter((re) => re.test(s)).length;
  const latex = (s.match(/\\[a-zA-Z]+|\$/g) ?? []).length;
  const words = s.split(/\s+/).filter((w) => /^[A-Za-z]{3,}[,.]?$/.test(w)).length;
  const tokens = s.split(/\s+/).length;
  // Prose: mostly plain words; LaTeX: backslash commands and dollar signs.
  if (latex >= 3 && latex > strong * 3) return false;
  if (strong >= 1 && strong + weak >= 2) return true;
  return weak >= 2 && words / Math.max(1, tokens) < 0.6;
}

/** The programming language a code string or a task text names, lower case. */
export function detectLanguage(text: string): string | undefined {
  const t = text.toLowerCase();
  const named: [RegExp, string][] = [
    [/\bpython\b/, "python"], [/\bjavascript\b|\bnode\.?js\b/, "javascript"], [/\btypescript\b/, "typescript"],
    [/\bjava\b/, "java"], [/\bc\+\+|\bcpp\b/, "cpp"], [/\brust\b/, "rust"], [/\bgolang\b|\bgo code\b/, "go"],
    [/\bsql\b/, "sql"], [/\bbash\b|\bshell\b/, "bash"], [/\bc#|\bcsharp\b/, "csharp"], [/\bphp\b/, "php"],
  ];
  for (const [re, lang] of named) if (re.test(t)) return lang;
  return undefined;
}

/** Guesses a code string's language from its syntax. */
export function codeLanguage(code: string): string | undefined {
  if (/^\s*def\s+\w+\s*\(.*\)\s*(->\s*[^:]+)?:\s*$/m.test(code) || /^\s*(import \w+|from \w+(\.\w+)* import)/m.test(code)) return "python";
  if (/#include\s*</.test(code)) return "cpp";
  if (/\bpublic\s+(static\s+)?(class|void|int)\b/.test(code)) return "java";
  if (/\bfunction\s+\w+\s*\(|=>\s*{|console\.log/.test(code)) return "javascript";
  if (/\bSELECT\b[\s\S]*\bFROM\b/i.test(code)) return "sql";
  return undefined;
}

const NUMBER_RE = /^[-+]?\$?\s*(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?%?$/;

/** A plain number written as text ("72", "-3.5", "1,000", "$18"), else null. */
export function parsePlainNumber(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v !== "string") return null;
  const s = v.trim().replace(/\.$/, "");
  if (!s || !/\d/.test(s) || !NUMBER_RE.test(s)) return null;
  const n = Number(s.replace(/[$,%\s]/g, ""));
  return Number.isFinite(n) ? n : null;
}

/** Option letters A, B, ... for `n` options. */
export function lettersFor(n: number): string[] {
  return Array.from({ length: Math.max(0, Math.min(n, 26)) }, (_, i) => String.fromCharCode(65 + i));
}

/** An option letter in any common spelling ("a", "(B)", "C.", "Answer: D"), upper case, else null. */
export function asLetter(v: unknown): string | null {
  if (typeof v !== "string") return null;
  const m = /^\s*(?:(?:the\s+)?(?:correct\s+)?(?:answer|option)\s*(?:is)?\s*[:=]?\s*)?\(?([A-Za-z])\)?[.:)]?\s*$/i.exec(v);
  return m ? m[1]!.toUpperCase() : null;
}

export interface ParsedOption {
  letter: string;
  text: string;
}

const LABEL_KEYS = ["label", "key", "letter", "id", "option", "name"];
const TEXT_KEYS = ["text", "value", "content", "option", "answer", "choice", "ending", "body"];

/** Splits "a ) 12 , b ) 16 , c ) 18" or "A. x\nB. y" into options, when letters run a, b, c, ... */
export function parseInlineOptions(s: string): ParsedOption[] | null {
  const re = /(?:^|[\s,;|])\(?([A-Ja-j])\s*[).:]\s+/g;
  const marks: { letter: string; start: number; end: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    const letter = m[1]!.toUpperCase();
    const expected = String.fromCharCode(65 + marks.length);
    if (letter === expected) marks.push({ letter, start: m.index, end: m.index + m[0].length });
  }
  if (marks.length < 2) return null;
  return marks.map((mk, i) => ({
    letter: mk.letter,
    text: s.slice(mk.end, i + 1 < marks.length ? marks[i + 1]!.start : s.length).replace(/^[\s,;|]+|[\s,;|]+$/g, ""),
  }));
}

/** Reads options in any common shape: list of {label,text}, dict of letter → text, list of strings, inline string. */
export function parseOptions(v: unknown): ParsedOption[] | null {
  if (typeof v === "string") return parseInlineOptions(v);
  if (Array.isArray(v)) {
    if (v.length < 2) return null;
    if (v.every((x) => typeof x === "string" || typeof x === "number")) {
      return v.map((x, i) => {
        const str = String(x);
        const pre = /^\s*\(?([A-Za-z])[).:]\s+(.*)$/s.exec(str);
        const letter = lettersFor(i + 1)[i]!;
        return pre && pre[1]!.toUpperCase() === letter ? { letter, text: pre[2]!.trim() } : { letter, text: str };
      });
    }
    if (v.every((x) => x && typeof x === "object" && !Array.isArray(x))) {
      const objs = v as Record<string, unknown>[];
      const keys = Object.keys(objs[0]!);
      const textKey = TEXT_KEYS.find((k) => keys.includes(k) && objs.every((o) => typeof o[k] === "string" || typeof o[k] === "number"));
      const labelKey = LABEL_KEYS.find((k) => k !== textKey && keys.includes(k) && objs.every((o) => asLetter(o[k]) !== null));
      if (!textKey) return null;
      return objs.map((o, i) => ({ letter: labelKey ? asLetter(o[labelKey])! : lettersFor(i + 1)[i]!, text: String(o[textKey]) }));
    }
    return null;
  }
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x === "string" || typeof x === "number");
    if (entries.length < 2 || entries.length !== Object.keys(v).length) return null;
    const byLetter = entries.every(([k]) => asLetter(k) !== null);
    return entries.map(([k, x], i) => ({ letter: byLetter ? asLetter(k)! : lettersFor(i + 1)[i]!, text: String(x) }));
  }
  return null;
}

/** The content of the last `\boxed{...}` (nested braces allowed), else null. */
export function lastBoxed(s: string): string | null {
  const i = s.lastIndexOf("\\boxed");
  if (i < 0) return null;
  let j = s.indexOf("{", i);
  if (j < 0) return null;
  let depth = 0;
  for (let k = j; k < s.length; k++) {
    if (s[k] === "{") depth++;
    else if (s[k] === "}") {
      depth--;
      if (depth === 0) return s.slice(j + 1, k);
    }
  }
  return null;
}

/** The prefix of a final line `<prefix> <number>`, e.g. "####" or "The answer is", else null. */
export function finalLineMarker(s: string): string | null {
  const lines = s.trim().split("\n").map((l) => l.trim()).filter(Boolean);
  const lastLine = lines[lines.length - 1];
  if (!lastLine) return null;
  const whole = markerOf(lastLine);
  if (whole !== null) return whole;
  // Prose on one line: the closing sentence may state the result ("... Final answer: 2").
  const sentences = lastLine.split(/(?<=[.!?])\s+/);
  return sentences.length > 1 ? markerOf(sentences[sentences.length - 1]!) : null;
}

function markerOf(last: string): string | null {
  const m = /^(.*?\S)\s*[-+]?\$?\s*(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?\s*\.?$/.exec(last);
  if (!m || !/\d/.test(last.slice(m[1]!.length))) return null;
  const prefix = m[1]!.replace(/\s*\$$/, "");
  // Only answer-announcing prefixes: punctuation runs (####) or answer words.
  if (!/[A-Za-z0-9]/.test(prefix) || /\b(answer|final|result|total|therefore|thus|so|gives|equals)\b/i.test(prefix)) {
    if (prefix.length <= 40) return prefix;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Options spread over sibling fields, and sources already in chat format

const OPTION_LEAF = /^(?:(?:op|opt|option|choice|ans|answer|alt|alternative|ending)[ _-]?([a-j]|\d{1,2})|([A-Ja-j]))$/i;

/** Sibling fields that hold one option each (A/B/C/D, opa/opb/opc, option_1/option_2): groups in order. */
export function siblingOptionGroups(paths: string[]): string[][] {
  const byParent = new Map<string, { path: string; rank: number; digit: boolean }[]>();
  for (const p of paths) {
    if (p.includes("[]")) continue;
    const leaf = leafName(p);
    const m = OPTION_LEAF.exec(leaf);
    if (!m) continue;
    const key = (m[1] ?? m[2])!.toLowerCase();
    const digit = /\d/.test(key);
    const rank = digit ? Number(key) : key.charCodeAt(0) - 97;
    const parent = p.slice(0, p.length - leaf.length);
    // Prefixed and bare names are separate families (`A`.. vs `opa`..).
    const family = `${parent}|${leaf.slice(0, leaf.length - key.length).toLowerCase()}|${digit}`;
    if (!byParent.has(family)) byParent.set(family, []);
    byParent.get(family)!.push({ path: p, rank, digit });
  }
  const groups: string[][] = [];
  for (const items of byParent.values()) {
    items.sort((a, b) => a.rank - b.rank);
    const start = items[0]!.digit ? items[0]!.rank : 0;
    if (items[0]!.rank !== start || (items[0]!.digit && start > 1)) continue;
    const run: string[] = [];
    for (const [i, it] of items.entries()) {
      if (it.rank !== start + i) break;
      run.push(it.path);
    }
    if (run.length >= 2) groups.push(run);
  }
  return groups;
}

/** The values a profile-style options path reads: one path, or sibling paths joined by "|". */
export const OPTION_PATH_SEPARATOR = "|";

const USER_ROLES = ["user", "human", "prompter", "customer", "question"];
const ASSISTANT_ROLES = ["assistant", "gpt", "bot", "model", "chatbot", "ai", "answer"];
const ROLE_KEYS = ["role", "from", "speaker", "author"];
const CONTENT_KEYS = ["content", "value", "text", "message"];

/** The first exchange of a conversation list ({role|from, content|value}), or null. */
export function firstExchange(turns: unknown): { system?: string; user: string; assistant: string } | null {
  if (!Array.isArray(turns)) return null;
  let system: string | undefined;
  let user: string | undefined;
  for (const t of turns) {
    if (!t || typeof t !== "object") return null;
    const o = t as Record<string, unknown>;
    const roleKey = ROLE_KEYS.find((k) => typeof o[k] === "string");
    const contentKey = CONTENT_KEYS.find((k) => typeof o[k] === "string");
    if (!roleKey || !contentKey) return null;
    const who = String(o[roleKey]).toLowerCase();
    const text = String(o[contentKey]);
    if (who === "system" && user === undefined) system = text;
    else if (USER_ROLES.includes(who) && user === undefined) user = text;
    else if (ASSISTANT_ROLES.includes(who) && user !== undefined) return { ...(system ? { system } : {}), user, assistant: text };
  }
  return null;
}
