/**
 * Parsers of model replies: pure functions, because the reward server scores completions of the
 * end-to-end (chef) format without running any agent.
 *
 *   parseChefCompletion  plan (## Training Data + ## Data Processing Workflow) + recipe.py + check.py
 *   parseCoderReply      recipe.py + check.py (+ an optional "FIX:" line after a repair)
 *   parseJudgeReply      analysis, then a boxed grade and a reason
 *
 * They accept the variations models produce (reasoning blocks, labels in headings, fence info
 * strings or first-line comments, unclosed last fences) and say precisely what is missing.
 */
import type { Grade } from "../verify/types.js";
import { parsePlanMd, type ParsePlanOptions } from "../../agents/planner/plan-md.js";
import type { Plan } from "../../agents/planner/plan.js";

export interface CodeBlock {
  /** Language from the info string, lower case ("" when none). */
  lang: string;
  /** File name the block is labelled with (info string, preceding line or first-line comment). */
  name?: string;
  body: string;
  /** Offsets of the whole block (fences included) in the text. */
  start: number;
  end: number;
}

/** Removes reasoning blocks (<think>…</think>, also an unclosed leading one) some models emit. */
export function stripReasoning(text: string): string {
  let t = text.replace(/\r\n?/g, "\n").replace(/<(think|thinking|reasoning)>[\s\S]*?<\/\1>/gi, "");
  // an answer that opens with reasoning but only closes it ("...</think>")
  const close = /<\/(think|thinking|reasoning)>/i.exec(t);
  if (close) t = t.slice(close.index + close[0].length);
  return t.trim();
}

const FILE_NAME = /\b([A-Za-z_][\w-]*\.py)\b/;

function nameFromInfo(info: string): string | undefined {
  const m = /(?:title|file|filename|name)\s*=\s*["']?([^"'\s]+)/i.exec(info) ?? FILE_NAME.exec(info);
  return m?.[1];
}

/** The label on the closest non-blank line above a block: "### recipe.py", "**check.py**:", "File: recipe.py". */
function nameFromPreceding(text: string, start: number): string | undefined {
  const before = text.slice(0, start).split("\n");
  before.pop(); // the part of the fence line before the fence (normally "")
  for (let i = before.length - 1, seen = 0; i >= 0 && seen < 2; i--) {
    const line = before[i]!.trim();
    if (!line) continue;
    seen++;
    const m = FILE_NAME.exec(line);
    if (m && line.length <= 120) return m[1];
    if (line.length > 0) return undefined;
  }
  return undefined;
}

function nameFromBody(body: string): string | undefined {
  const first = body.split("\n").find((l) => l.trim())?.trim() ?? "";
  const m = /^#\s*(?:file(?:name)?:\s*)?([A-Za-z_][\w-]*\.py)\s*$/i.exec(first);
  return m?.[1];
}

/** Every fenced block (``` or ~~~, three or more), an unclosed last one included. */
export function extractCodeBlocks(text: string): CodeBlock[] {
  const out: CodeBlock[] = [];
  const re = /^([ \t]*)(`{3,}|~{3,})([^\n`]*)$/gm;
  let open: { fence: string; info: string; start: number; bodyStart: number } | undefined;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const fence = m[2]!;
    const info = m[3]!.trim();
    if (!open) {
      open = { fence, info, start: m.index, bodyStart: m.index + m[0].length + 1 };
    } else if (fence[0] === open.fence[0] && fence.length >= open.fence.length && !info) {
      out.push(block(text, open, m.index, m.index + m[0].length));
      open = undefined;
    }
  }
  if (open) out.push(block(text, open, text.length, text.length));
  return out;
}

function block(text: string, open: { info: string; start: number; bodyStart: number }, bodyEnd: number, end: number): CodeBlock {
  const body = text.slice(Math.min(open.bodyStart, bodyEnd), bodyEnd).replace(/\n$/, "");
  const lang = (/^([\w+#.-]+)/.exec(open.info)?.[1] ?? "").toLowerCase();
  const name = nameFromInfo(open.info) ?? nameFromPreceding(text, open.start) ?? nameFromBody(body);
  return { lang: FILE_NAME.test(lang) ? "python" : lang, ...(name ? { name: name.toLowerCase() } : {}), body, start: open.start, end };
}

const PYTHONISH = new Set(["python", "py", "python3", ""]);

function looksLikePython(b: CodeBlock): boolean {
  if (b.lang && !PYTHONISH.has(b.lang)) return false;
  if (b.lang) return true;
  return /^\s*(import |from \w|def |#!|#)/m.test(b.body) && !/^\s*[[{]/.test(b.body);
}

export interface ScriptsParse {
  recipe: string;
  check: string;
  /** Blocks used, for removing them from the surrounding text. */
  used: CodeBlock[];
  warnings: string[];
}

/** Finds recipe.py and check.py among the blocks of a reply. */
export function findScripts(text: string): ScriptsParse | { error: string } {
  const blocks = extractCodeBlocks(text).filter(looksLikePython);
  const warnings: string[] = [];
  const named = (re: RegExp) => blocks.filter((b) => b.name && re.test(b.name));
  const recipes = named(/recipe/);
  const checks = named(/check|test|verify|validate/);
  let recipe = recipes.at(-1);
  let check = checks.at(-1);
  if (recipes.length > 1) warnings.push(`${recipes.length} blocks are labelled recipe.py; the last one is used`);
  if (checks.length > 1) warnings.push(`${checks.length} blocks are labelled check.py; the last one is used`);
  const unnamed = blocks.filter((b) => b !== recipe && b !== check && !(b.name && (recipes.includes(b) || checks.includes(b))));
  if (!recipe && !check && blocks.length === 2) {
    [recipe, check] = blocks;
    warnings.push("the two python blocks are not labelled; the first is taken as recipe.py, the second as check.py");
  } else if (recipe && !check && unnamed.length === 1) {
    check = unnamed[0];
    warnings.push("check.py is not labelled; the other python block is taken as check.py");
  } else if (!recipe && check && unnamed.length === 1) {
    recipe = unnamed[0];
    warnings.push("recipe.py is not labelled; the other python block is taken as recipe.py");
  }
  if (!recipe || !check) {
    const what = !recipe && !check ? "recipe.py and check.py" : !recipe ? "recipe.py" : "check.py";
    return {
      error: `expected exactly two fenced python blocks labelled recipe.py and check.py; ${what} not found (${blocks.length} python block(s)${blocks.length ? `: ${blocks.map((b) => b.name ?? "unlabelled").join(", ")}` : ""})`,
    };
  }
  if (!recipe.body.trim()) return { error: "recipe.py is empty" };
  if (!check.body.trim()) return { error: "check.py is empty" };
  return { recipe: recipe.body.trimEnd() + "\n", check: check.body.trimEnd() + "\n", used: [recipe, check], warnings };
}

export interface CoderReply {
  recipe: string;
  check: string;
  /** The one-line description of a repair ("FIX: ..."), when given. */
  fix?: string;
  warnings: string[];
}

export function parseCoderReply(text: string): CoderReply | { error: string } {
  const t = stripReasoning(text);
  const found = findScripts(t);
  if ("error" in found) return found;
  const outside = removeBlocks(t, found.used);
  const fix = /^\s*(?:\*\*)?fix(?:\*\*)?\s*[:\-–—]\s*(?:\*\*)?\s*(.+)$/im.exec(outside)?.[1]?.trim();
  return { recipe: found.recipe, check: found.check, ...(fix ? { fix } : {}), warnings: found.warnings };
}

function removeBlocks(text: string, blocks: CodeBlock[]): string {
  let out = text;
  for (const b of [...blocks].sort((a, c) => c.start - a.start)) {
    let start = b.start;
    // drop the label line just above the block as well ("### recipe.py")
    const above = out.slice(0, start).replace(/\n+$/, "");
    const lineStart = above.lastIndexOf("\n") + 1;
    const label = above.slice(lineStart);
    if (label.trim() && FILE_NAME.test(label) && label.trim().length <= 120) start = lineStart;
    out = out.slice(0, start) + out.slice(b.end);
  }
  return out.replace(/\n{3,}/g, "\n\n").trim();
}

export interface ChefCompletion {
  plan: Plan;
  /** The plan part of the completion (code blocks removed), as the model wrote it. */
  planMd: string;
  recipe: string;
  check: string;
  warnings: string[];
}

export interface ChefParseError {
  error: string;
  /** What could be read anyway (for feedback and partial credit). */
  partial?: { planMd?: string; recipe?: string; check?: string; planErrors?: string[] };
}

/**
 * Reads an end-to-end completion: the plan in the plan.md format and exactly two python blocks,
 * recipe.py and check.py. `opts` checks the plan's sources and budget.
 */
export function parseChefCompletion(text: string, opts: ParsePlanOptions = {}): ChefCompletion | ChefParseError {
  const t = stripReasoning(text);
  if (!t) return { error: "the completion is empty" };
  const scripts = findScripts(t);
  const planText = "error" in scripts ? removeBlocks(t, extractCodeBlocks(t).filter((b) => looksLikePython(b) && b.lang !== "")) : removeBlocks(t, scripts.used);
  const parsed = parsePlanMd(planText, opts);
  if ("error" in scripts) {
    return { error: scripts.error, partial: { planMd: planText, ...(parsed.ok ? {} : { planErrors: parsed.errors }) } };
  }
  if (!parsed.ok || !parsed.plan) {
    return {
      error: `the plan part is invalid: ${parsed.errors.join("; ")}`,
      partial: { planMd: planText, recipe: scripts.recipe, check: scripts.check, planErrors: parsed.errors },
    };
  }
  return { plan: parsed.plan, planMd: planText, recipe: scripts.recipe, check: scripts.check, warnings: [...scripts.warnings, ...parsed.warnings] };
}

// ---------------------------------------------------------------------------------------------
// Judge replies

export const GRADE_LETTERS: Record<string, Grade> = { A: "invalid", B: "format_error", C: "incorrect", D: "task_mismatch", E: "pass" };

function gradeOf(token: string): Grade | null {
  const t = token
    .replace(/\\text(?:bf|tt)?\{([^}]*)\}/g, "$1")
    .replace(/[*_`"'\\{}$]/g, " ")
    .trim();
  const letter = /^\(?([A-Ea-e])\)?(?:$|[\s:.,)\-–—])/.exec(t);
  if (letter) return GRADE_LETTERS[letter[1]!.toUpperCase()]!;
  const low = t.toLowerCase().replace(/[\s-]+/g, "_");
  if (/^invalid/.test(low)) return "invalid";
  if (/^format(_error)?/.test(low)) return "format_error";
  if (/^incorrect|^wrong/.test(low)) return "incorrect";
  if (/^(task_)?mismatch/.test(low)) return "task_mismatch";
  if (/^pass(ed|es)?\b|^pass$/.test(low)) return "pass";
  return null;
}

/** The content of every \boxed{...} (balanced braces), in order. */
function boxedContents(text: string): { value: string; end: number; start: number }[] {
  const out: { value: string; end: number; start: number }[] = [];
  const re = /\\*boxed\s*\{/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    let depth = 1;
    let i = m.index + m[0].length;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    if (depth === 0) out.push({ value: text.slice(m.index + m[0].length, i - 1), start: m.index, end: i });
  }
  return out;
}

function cleanReason(s: string): string {
  return s
    .replace(/^[\s$)\]]*/, "")
    .replace(/^(?:[-–—:;,.|]+\s*)+/, "")
    .replace(/^\**\s*reason(?:ing)?\s*\**\s*[:\-–—]\s*\**\s*/i, "")
    .replace(/\*\*/g, "")
    .trim();
}

export interface JudgeReply {
  grade: Grade;
  reason: string;
  /** Everything before the verdict. */
  analysis: string;
}

/** The grade and reason of a judge's reply, or null when it names no grade. */
export function parseJudgeReply(text: string): JudgeReply | null {
  const t = stripReasoning(text);
  if (!t) return null;
  // The verdict that comes last wins: the analysis may quote the rubric's boxes, or a sample's own
  // \boxed{C} answer, before the judge decides.
  let grade: Grade | null = null;
  let at = -1;
  let after = "";
  for (const b of boxedContents(t)) {
    const g = gradeOf(b.value);
    if (g && b.start > at) {
      grade = g;
      at = b.start;
      after = t.slice(b.end);
    }
  }
  // "Grade: D", "Final grade: **E** (pass)", "Verdict - C"
  const re = /(?:final\s+)?(?:grade|verdict)\s*\**\s*[:=\-–—]\s*\**\s*(\(?[A-Ea-e]\)?(?![\w])|invalid|format[ _-]?error|incorrect|task[ _-]?mismatch|pass)\b/gi;
  for (const m of t.matchAll(re)) {
    const g = gradeOf(m[1]!);
    if (g && m.index! > at) {
      grade = g;
      at = m.index!;
      after = t.slice(m.index! + m[0].length);
    }
  }
  if (!grade) return null;
  const sameLine = after.split("\n")[0] ?? "";
  const GRADE_NAME = /^\(?\s*(?:[A-E]\s*[:,-]\s*)?(invalid|format[ _-]?error|incorrect|task[ _-]?mismatch|pass)\s*\)?/i;
  let reason = cleanReason(sameLine.replace(/^[\s*_`)$]*/, "").replace(GRADE_NAME, ""));
  if (!reason) {
    const later = /^\s*\**\s*reason(?:ing)?\s*\**\s*[:\-–—]\s*(.+)$/im.exec(after);
    reason = later ? cleanReason(later[1]!) : "";
  }
  const analysis = t.slice(0, at).trim();
  if (!reason) {
    // fall back on the analysis' last sentence: a grade without any reason is still a grade
    const sentences = analysis.replace(/\s+/g, " ").split(/(?<=[.!?])\s+/).filter(Boolean);
    reason = sentences.at(-1)?.slice(0, 300) ?? "no reason given";
  }
  return { grade, reason: reason.slice(0, 1000), analysis };
}

// ---------------------------------------------------------------------------------------------
// Static checks of generated code (never executed here: it runs only in the sandbox)

/** String literals passed to iter_source/load_source that are not sources of the task. */
export function unknownSourceRefs(code: string, known: string[]): string[] {
  const out = new Set<string>();
  for (const m of code.matchAll(/\b(?:iter_source|load_source)\s*\(\s*(?:source_id\s*=\s*)?["']([^"']+)["']/g)) if (!known.includes(m[1]!)) out.add(m[1]!);
  return [...out];
}

/** Why the code looks like it reads the benchmark file, or null. */
export function benchmarkAccess(code: string, benchmark: { path: string; id: string }): string | null {
  const base = benchmark.path.split(/[\\/]/).pop() ?? "";
  const stem = base.replace(/\.(jsonl|json|csv|parquet)$/i, "");
  if (benchmark.path && code.includes(benchmark.path)) return `it names the benchmark file ${benchmark.path}`;
  if (base && new RegExp(`["'/\\\\]${escapeRe(base)}["']`).test(code)) return `it names the benchmark file '${base}'`;
  const ids = [...new Set([benchmark.id, stem].filter((x) => x.length >= 3))];
  for (const id of ids) {
    if (new RegExp(`\\b(?:iter_source|load_source|open)\\s*\\([^)]*["'][^"']*\\b${escapeRe(id)}\\b[^"']*["']`).test(code)) return `it reads '${id}', which is the benchmark`;
  }
  return null;
}

export interface CodeCheckContext {
  /** Source ids the code may read. */
  sources: string[];
  benchmark: { path: string; id: string };
}

/** Problems a model must fix before its code is worth running (checked as text, never executed). */
export function codeProblems(recipe: string, check: string, ctx: CodeCheckContext): string[] {
  const out: string[] = [];
  const unknown = unknownSourceRefs(recipe, ctx.sources);
  if (unknown.length) out.push(`recipe.py reads ${unknown.map((u) => `'${u}'`).join(", ")}, which ${unknown.length > 1 ? "are not sources" : "is not a source"} of this recipe (allowed: ${ctx.sources.join(", ")})`);
  const bench = benchmarkAccess(recipe, ctx.benchmark) ?? benchmarkAccess(check, ctx.benchmark);
  if (bench) out.push(`the code must never read the benchmark, but ${bench}; use only the listed sources (decontaminate with dc.decontaminate)`);
  if (!/\bdump_jsonl\s*\(|DATACHEF_OUTPUT|output\/data\.jsonl/.test(recipe)) out.push("recipe.py never writes the training set: end it with dc.dump_jsonl(records)");
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The first JSON object or array in model text (```json fences first), or undefined. */
export function firstJson(text: string): unknown {
  const t = stripReasoning(text);
  for (const b of extractCodeBlocks(t)) {
    if (b.lang === "json" || /^\s*[[{]/.test(b.body)) {
      try {
        return JSON.parse(b.body);
      } catch {
        // try the next candidate
      }
    }
  }
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== "{" && t[i] !== "[") continue;
    const end = balancedEnd(t, i);
    if (end < 0) continue;
    try {
      return JSON.parse(t.slice(i, end + 1));
    } catch {
      // keep scanning
    }
  }
  return undefined;
}

function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && --depth === 0) return i;
  }
  return -1;
}
