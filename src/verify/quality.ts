/**
 * Validity checks of one conversation (the paper's grade A): an answer that is empty, echoes
 * the question, repeats itself, refuses, is cut off, leaks prompt scaffolding; a question that is
 * too short or an unfilled template. Each returns a one-line reason or null.
 */
import { extractCode } from "./answer-format.js";
import { terms } from "./terms.js";

const REFUSALS = [
  /\bas an ai(?: language model| assistant)?\b/i,
  /\bI(?:'m| am)? (?:sorry|afraid)\b[^.\n]{0,60}\b(?:can(?:no|')t|unable|not able)\b/i,
  /\bI (?:cannot|can't|can not|won't|am unable to|'m unable to|am not able to) (?:help|assist|provide|answer|comply|do that|fulfil|fulfill)\b/i,
  /\bI apologi[sz]e, but\b/i,
];

/** A refusal in the opening of the answer (later mentions are usually quoted, not refusals). */
export function refusal(answer: string): string | null {
  const head = answer.slice(0, 300);
  for (const re of REFUSALS) {
    const m = re.exec(head);
    if (m) return `refusal ('${m[0]}')`;
  }
  return null;
}

function ngramKeys(ts: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= ts.length; i++) out.push(ts.slice(i, i + n).join(" "));
  return out;
}

/**
 * Degenerate repetition: a phrase looping back to back ("Sincerely, Sincerely, ..."), the same
 * long line again and again, or mostly repeated 4-grams of words. Math and code repeat
 * legitimately ("5^b + 5^b + ...", recursive calls), so loops must contain a real word (LaTeX
 * commands stripped), and code and questions (tables, option lists) only get the loop check.
 */
export function repetition(text: string, what = "answer", opts: { loopsOnly?: boolean } = {}): string | null {
  const ts = terms(text.replace(/\\[a-zA-Z]+/g, " "));
  const isWord = (t: string) => /^\p{L}{3,}$/u.test(t);
  for (let n = 1; n <= 8; n++) {
    for (let i = 0; i + 4 * n <= ts.length; i++) {
      const phrase = ts.slice(i, i + n).join(" ");
      let reps = 1;
      while (i + (reps + 1) * n <= ts.length && ts.slice(i + reps * n, i + (reps + 1) * n).join(" ") === phrase) reps++;
      if (reps >= 4 && n * reps >= 6 && ts.slice(i, i + n).some(isWord)) return `${what} loops on '${phrase}' (${reps} times)`;
      if (reps > 1) i += (reps - 1) * n;
    }
  }
  if (opts.loopsOnly) return null;
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length >= 20);
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  const repeatedLines = [...counts.values()].filter((c) => c >= 3).reduce((s, c) => s + c, 0);
  if (repeatedLines >= 3 && repeatedLines >= lines.length * 0.3) return `${what} repeats the same lines`;
  const words = ts.filter((t) => /^\p{L}{2,}$/u.test(t));
  if (words.length >= 40) {
    const grams = ngramKeys(words, 4);
    const distinct = new Set(grams).size;
    if (distinct / grams.length < 0.5) return `${what} is mostly repeated phrases (${Math.round((1 - distinct / grams.length) * 100)}% repeated 4-grams)`;
  }
  return null;
}

/** The answer reproduces the question (or most of it) instead of answering it. */
export function echo(user: string, answer: string): string | null {
  const a = terms(answer);
  const q = terms(user);
  if (a.length === 0 || q.length === 0) return null;
  if (a.join(" ") === q.join(" ")) return "answer repeats the question verbatim";
  if (a.length < 8 || q.length < 8) return null;
  const qGrams = new Set(ngramKeys(q, 4));
  const aGrams = ngramKeys(a, 4);
  const copied = aGrams.filter((g) => qGrams.has(g)).length / Math.max(1, aGrams.length);
  // Copying a short span out of a long context is fine (extractive QA); copying most of the
  // question back as most of the answer is not.
  if (copied >= 0.8 && a.length >= 0.5 * q.length) return `answer copies the question (${Math.round(copied * 100)}% of its 4-grams)`;
  return null;
}

const SCAFFOLD_LINE = /^\s*(?:#{2,}\s*)?(?:input|output|instruction|human|user|assistant|system)\s*:/i;
const SPECIAL_TOKEN = /<\|(?:endoftext|im_start|im_end|eot_id|begin_of_text|end_of_text|assistant|user|system)\|>|<\/s>|\[\/INST\]|\[INST\]/;

/** Prompt scaffolding inside an answer: special tokens, invented next turns ("Input: ... Output: ..."). */
export function scaffolding(answer: string): string | null {
  const tok = SPECIAL_TOKEN.exec(answer);
  if (tok) return `answer contains the special token '${tok[0]}'`;
  const lines = answer.split(/\r?\n/);
  const roles = lines.filter((l) => SCAFFOLD_LINE.test(l));
  if (roles.length >= 2) return `answer continues into invented turns ('${roles[0]!.trim().slice(0, 30)}')`;
  return null;
}

const DANGLING = new Set("the a an and or but of to in on at by for with from as that which is are was were be this these their its our your my if than then because".split(" "));

/** Signs the answer was cut off: an unclosed code fence, unbalanced code brackets, a dangling last word. */
export function truncation(answer: string, isCode: boolean): string | null {
  const { code, unclosedFence } = extractCode(answer);
  if (unclosedFence) return "answer ends inside an unclosed ``` code block";
  if (isCode) {
    // Brackets outside strings and comments.
    const stripped = code
      .replace(/("""|''')[\s\S]*?\1/g, "")
      .replace(/"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'/g, "")
      .replace(/#.*$/gm, "");
    let depth = 0;
    for (const ch of stripped) {
      if ("([{".includes(ch)) depth++;
      else if (")]}".includes(ch)) depth--;
    }
    if (depth > 0) return "code ends with unclosed brackets";
    return null;
  }
  const t = answer.trimEnd();
  // Short answers (a label, an option's text, a span) legitimately end anywhere.
  if (terms(t).length < 12) return null;
  if (/[,;:(\[{-]$/.test(t) && !/:-?\)$/.test(t)) return `answer ends mid-sentence ('…${t.slice(-20)}')`;
  const last = terms(t.slice(-40)).at(-1);
  if (last && DANGLING.has(last) && /\p{L}$/u.test(t)) return `answer ends mid-sentence ('…${t.slice(-20)}')`;
  return null;
}

const PLACEHOLDER_VALUE = /^(?:none|null|nan|undefined|n\/a|\[\]|\{\}|<noinput>|<no input>)$/i;
const TEMPLATE_SLOT = /\{(?:question|answer|input|output|context|instruction|text|prompt|options|choices|label|problem|solution)\}/i;

/** A turn that is a missing value or an unfilled template ("None", "{question}"). */
export function placeholder(text: string, what: string): string | null {
  if (text.split(/\r?\n/).some((l) => PLACEHOLDER_VALUE.test(l.trim()))) return `${what} holds a missing-value placeholder`;
  const slot = TEMPLATE_SLOT.exec(text);
  if (slot) return `${what} has an unfilled template slot '${slot[0]}'`;
  return null;
}

/** Too little question to answer: fewer than `minTerms` words and numbers. */
export function questionTooShort(user: string, minTerms = 3): string | null {
  const n = terms(user).length;
  return n < minTerms ? `question too short (${n} word${n === 1 ? "" : "s"})` : null;
}
