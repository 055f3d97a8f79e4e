/**
 * The answer-format half of the contract: pulls the final answer out of an assistant turn for
 * each `AnswerFormat` kind, or says in one line why the turn breaks the format. Also parses the
 * option list of a multiple-choice user turn.
 */
import type { AnswerFormat, TaskContract } from "../task/contract.js";

export interface OptionItem {
  letter: string;
  text: string;
}

const LINE_OPTION = /^\s*[([]?([A-Za-z])[)\].:]\s*(.+?)\s*$/;

/**
 * Options listed in a user turn: one per line ("A. bank", "(B) library", "C) mall", "D: x") or
 * inline ("a ) 12 , b ) 16 , c ) 18"). Letters must run A, B, C... from A (either case).
 */
export function parseOptions(user: string): OptionItem[] {
  const sequential = (items: OptionItem[]) => items.length >= 2 && items.every((o, i) => o.letter.toUpperCase().charCodeAt(0) === 65 + i);
  // Line-wise: the longest run of consecutive option lines starting at A.
  const lines = user.split(/\r?\n/);
  let best: OptionItem[] = [];
  for (let start = 0; start < lines.length; start++) {
    const m = LINE_OPTION.exec(lines[start]!);
    if (!m || m[1]!.toUpperCase() !== "A") continue;
    const run: OptionItem[] = [];
    for (let j = start; j < lines.length; j++) {
      const o = LINE_OPTION.exec(lines[j]!);
      if (!o || o[1]!.toUpperCase().charCodeAt(0) !== 65 + run.length) break;
      run.push({ letter: o[1]!, text: o[2]! });
    }
    if (run.length > best.length) best = run;
  }
  if (sequential(best)) return best;
  // Inline: "a ) 12 , b ) 16" or "(A) x (B) y".
  const inline: OptionItem[] = [];
  const re = /(?:^|[\s,;(])\(?([A-Ea-e])\s?\)\s*([^,;()]*?)\s*(?=,?\s*\(?[A-Ea-e]\s?\)|$|\n)/g;
  for (const m of user.matchAll(re)) inline.push({ letter: m[1]!, text: m[2]!.trim() });
  const run: OptionItem[] = [];
  for (const o of inline) {
    if (o.letter.toUpperCase().charCodeAt(0) === 65 + run.length) run.push(o);
    else if (o.letter.toUpperCase() === "A") run.splice(0, run.length, o);
  }
  return sequential(run) ? run : [];
}

export type FormatVerdict =
  | {
      ok: true;
      /** The final answer as written (a number, a letter, a label, boxed content, the code). */
      final: string;
      /** Everything before the final answer: the reasoning, if any. */
      body: string;
      /** Option answers: the text written next to the letter, if any. */
      optionText?: string;
    }
  | { ok: false; reason: string };

const NUMBER = String.raw`-?\$?\d[\d,]*(?:\.\d+)?`;

function lastLine(text: string): { line: string; before: string } {
  const lines = text.trimEnd().split(/\r?\n/);
  let i = lines.length - 1;
  while (i > 0 && !lines[i]!.trim()) i--;
  return { line: lines[i]!.trim(), before: lines.slice(0, i).join("\n") };
}

function preview(text: string, max = 60): string {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function markerFormat(answer: string, marker: string, numeric: boolean): FormatVerdict {
  const { line, before } = lastLine(answer);
  if (!line.startsWith(marker)) {
    const elsewhere = answer.includes(marker);
    return { ok: false, reason: elsewhere ? `'${marker}' is not on the final line` : `no final '${marker} <answer>' line` };
  }
  const value = line.slice(marker.length).trim();
  if (!value) return { ok: false, reason: `nothing after '${marker}'` };
  if (numeric && !new RegExp(`^${NUMBER}$`).test(value)) return { ok: false, reason: `'${marker} ${preview(value, 30)}' is not a number` };
  return { ok: true, final: value, body: before };
}

/** Contents of every \boxed{...} (nested braces balanced); null for an unclosed one. */
export function boxedContents(text: string): string[] | null {
  const out: string[] = [];
  const re = /\\(?:boxed|fbox)\s*\{/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let depth = 1;
    let i = m.index + m[0].length;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === "\\") i++;
      else if (text[i] === "{") depth++;
      else if (text[i] === "}") depth--;
    }
    if (depth > 0) return null;
    out.push(text.slice(m.index + m[0].length, i - 1));
    re.lastIndex = i;
  }
  return out;
}

function boxedFormat(answer: string): FormatVerdict {
  const boxes = boxedContents(answer);
  if (boxes === null) return { ok: false, reason: "unclosed \\boxed{" };
  if (boxes.length === 0) return { ok: false, reason: "no \\boxed{} final answer" };
  const final = boxes.at(-1)!.trim();
  if (!final) return { ok: false, reason: "empty \\boxed{}" };
  return { ok: true, final, body: answer.slice(0, answer.lastIndexOf("\\boxed")) };
}

function optionFormat(answer: string, letters: string[], reasoning: boolean): FormatVerdict {
  const allowed = new Map(letters.map((l) => [l.toUpperCase(), l]));
  const t = answer.trim();
  const first = t.split(/\r?\n/)[0]!;
  let found: { letter: string; text?: string; body: string } | undefined;
  const bare = /^[([]?([A-Za-z])[)\]]?[.:)]?$/.exec(t);
  const lead = /^[([]?([A-Za-z])[)\].:]\s+(.+)$/.exec(first) ?? /^\(([A-Za-z])\)\s*(.+)$/.exec(first);
  if (bare) found = { letter: bare[1]!, body: "" };
  // "A. bank" (possibly followed by an explanation) when no reasoning precedes the answer.
  else if (lead && (t === first || !reasoning)) found = { letter: lead[1]!, text: lead[2]!.trim(), body: "" };
  else {
    // "The answer is (C) mall", "Answer: C" anywhere; the last one wins.
    const re = /\b(?:answer|option|choice)(?:\s+is)?\s*[:：]?\s*[([]?([A-Za-z])(?![A-Za-z])[)\]]?(?:[.:)]?[ \t]+([^\n]+))?/gi;
    const m = [...t.matchAll(re)].at(-1);
    if (m) found = { letter: m[1]!, text: m[2]?.trim().replace(/[.]$/, ""), body: t.slice(0, m.index) };
  }
  if (!found) return { ok: false, reason: `no option letter (expected one of ${letters.join("/")}): '${preview(t)}'` };
  if (!allowed.has(found.letter.toUpperCase())) return { ok: false, reason: `'${found.letter}' is not one of the option letters ${letters.join("/")}` };
  if (!reasoning && found.body.trim().length > 300) return { ok: false, reason: "expected an option letter, got a long explanation before it" };
  return { ok: true, final: allowed.get(found.letter.toUpperCase())!, body: found.body, optionText: found.text || undefined };
}

const LABEL_PREFIX = /^(?:final answer|the answer is|answer|label|sentiment|decision|prediction|classification|class|category)\s*(?:is)?\s*[:：-]?\s*/i;

/** Markdown emphasis and quotes around a label go; underscores inside one (snake_case labels) stay. */
function cleanLabel(s: string): string {
  return s
    .replace(/[*`"“”‘’]/g, "")
    .replace(/(^|\s)_+|_+(?=\s|$)/g, "$1")
    .replace(LABEL_PREFIX, "")
    .replace(/[.!。]+$/, "")
    .replace(/^'+|'+$/g, "")
    .trim()
    .toLowerCase();
}

function labelFormat(answer: string, labels: string[], reasoning: boolean): FormatVerdict {
  const set = new Map(labels.map((l) => [cleanLabel(l), l]));
  const whole = cleanLabel(answer);
  if (set.has(whole)) return { ok: true, final: set.get(whole)!, body: "" };
  const { line, before } = lastLine(answer);
  const last = cleanLabel(line);
  if (set.has(last)) {
    if (!reasoning) return { ok: false, reason: `expected only the label, got text before it` };
    return { ok: true, final: set.get(last)!, body: before };
  }
  return { ok: false, reason: `answer '${preview(reasoning ? line : answer, 40)}' is not one of ${labels.join("/")}` };
}

function numberFormat(answer: string, reasoning: boolean): FormatVerdict {
  const t = answer.trim();
  const exact = new RegExp(`^${NUMBER}%?$`);
  if (exact.test(t)) return { ok: true, final: t, body: "" };
  const { line, before } = lastLine(answer);
  const m = new RegExp(`(${NUMBER})%?\\s*\\.?$`).exec(line);
  if (m && reasoning) return { ok: true, final: m[1]!, body: `${before}\n${line.slice(0, m.index)}` };
  return { ok: false, reason: reasoning ? "the final line does not end with a number" : `'${preview(t, 30)}' is not a bare number` };
}

export interface CodeParts {
  code: string;
  fenced: boolean;
  /** An odd number of ``` fences: the turn was cut off inside a block. */
  unclosedFence: boolean;
}

export function extractCode(answer: string): CodeParts {
  const fences = answer.match(/^\s*```/gm)?.length ?? 0;
  const blocks = [...answer.matchAll(/```[\w+#.-]*[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length) return { code: blocks.join("\n"), fenced: true, unclosedFence: fences % 2 === 1 };
  return { code: answer, fenced: false, unclosedFence: fences % 2 === 1 };
}

// a call statement such as `b.sort(key=f)` is Python too (one-line bodies often are just that)
const PY_LINE = /^\s*([A-Za-z_][\w]*(\.[A-Za-z_]\w*)*\([^()]*(\([^()]*\)[^()]*)*\)\s*$|def\s+\w+\s*\(|class\s+\w+|import\s+\w|from\s+[\w.]+\s+import\b|return\b|yield\b|for\s+.+:\s*$|while\s+.+:\s*$|if\s+.+:\s*$|elif\s+.+:\s*$|else\s*:|try\s*:|except\b.*:|with\s+.+:\s*$|print\(|lambda\b|assert\b|raise\b|[A-Za-z_][\w.]*(\[[^\]]*\])?\s*([-+*/%]|\/\/)?=\s*\S)/;
const OTHER_LANGUAGES: [RegExp, string][] = [
  [/#include\s*</, "C/C++"],
  [/\bpublic\s+(static\s+)?(class|void|int|String)\b/, "Java/C#"],
  [/\bfunction\s*\w*\s*\([^)]*\)\s*\{/, "JavaScript"],
  [/\bconsole\.log\s*\(/, "JavaScript"],
  [/<\?php/, "PHP"],
  [/^\s*SELECT\b[\s\S]*\bFROM\b/im, "SQL"],
  [/\b(int|void|char|double|bool)\s+\w+\s*\([^)]*\)\s*\{/, "C-like"],
];

/** Why `code` does not look like code in `language`, or null. Heuristic: nothing is executed. */
export function codeProblem(code: string, language: string): string | null {
  const lines = code.split(/\r?\n/).filter((l) => l.trim() && !l.trim().startsWith("#"));
  if (lines.length === 0) return "no code in the answer";
  if (language.toLowerCase() !== "python") return null;
  for (const [re, name] of OTHER_LANGUAGES) if (re.test(code)) return `code looks like ${name}, not Python`;
  const pyLines = lines.filter((l) => PY_LINE.test(l)).length;
  // Python tolerates trailing ';' but never opens blocks with '{'.
  const braces = lines.filter((l) => /\{\s*$/.test(l) && !/[=:(,]\s*\{\s*$/.test(l)).length;
  if (braces > 0 && braces >= lines.length / 5) return "code opens blocks with '{' (not Python)";
  if (pyLines === 0) return "answer has no Python statements";
  // Prose that happens to contain an "x = y" line: mostly long sentences.
  const prose = lines.filter((l) => /^[A-Z][^=(){}[\]]{40,}[.!?:]$/.test(l.trim())).length;
  if (prose > lines.length / 2) return "answer is mostly prose, not code";
  return null;
}

function codeFormat(answer: string, language: string): FormatVerdict {
  const { code } = extractCode(answer);
  const problem = codeProblem(code, language);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, final: code, body: "" };
}

/** Checks the assistant turn against the contract's answer format. */
export function checkAnswerFormat(answer: string, contract: Pick<TaskContract, "answer" | "reasoning" | "numericAnswer">): FormatVerdict {
  const f: AnswerFormat = contract.answer;
  switch (f.kind) {
    case "marker":
      return markerFormat(answer, f.marker, contract.numericAnswer);
    case "boxed":
      return boxedFormat(answer);
    case "option_letter":
      return optionFormat(answer, f.letters, contract.reasoning);
    case "label":
      return labelFormat(answer, f.labels, contract.reasoning);
    case "number":
      return numberFormat(answer, contract.reasoning);
    case "code":
      return codeFormat(answer, f.language);
    case "free_text":
      return answer.trim() ? { ok: true, final: answer.trim(), body: "" } : { ok: false, reason: "empty answer" };
  }
}
