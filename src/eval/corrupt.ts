/**
 * Controlled damage to a good training set, for validating the verifier (corruption ladders) and
 * for building datasets of known worse quality (downstream proxy). Positions come from one
 * seeded permutation, so the records corrupted at share 0.2 are also corrupted at 0.4: a ladder
 * only ever adds damage.
 */
import type { ChatMessage, ChatRecord } from "../data/chat.js";
import type { TaskContract } from "../task/contract.js";
import { checkAnswerFormat, extractCode, parseOptions } from "../verify/answer-format.js";
import { mulberry32 } from "../../agents/planner/random.js";

export const LADDERS = ["off_domain", "format", "refusal_truncation", "wrong_answer", "duplicates"] as const;
export type LadderKind = (typeof LADDERS)[number];

export interface CorruptOptions {
  contract: TaskContract;
  seed: number;
  /** Records from other tasks (off_domain). */
  pool?: ChatRecord[];
}

export interface Corrupted {
  records: ChatRecord[];
  /** Records actually changed (a transform may not apply to some records). */
  changed: number;
}

function shuffled(n: number, seed: number): number[] {
  const next = mulberry32(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

function lastAssistant(r: ChatRecord): number {
  for (let i = r.messages.length - 1; i >= 0; i--) if (r.messages[i]!.role === "assistant") return i;
  return -1;
}

function userOf(r: ChatRecord): string {
  return r.messages.filter((m) => m.role === "user").map((m) => m.content).join("\n");
}

function withAnswer(r: ChatRecord, content: string): ChatRecord {
  const i = lastAssistant(r);
  return { ...r, messages: r.messages.map((m, j) => (j === i ? { ...m, content } : m)) };
}

const NUM = /-?\$?\d[\d,]*(?:\.\d+)?/g;

function perturbNumber(text: string, k: number): string {
  const neg = text.startsWith("-");
  const core = text.replace(/^-/, "");
  const dollar = core.startsWith("$") ? "$" : "";
  const n = Number(core.replace(/[$,]/g, ""));
  if (!Number.isFinite(n)) return text;
  const decimals = (core.split(".")[1] ?? "").length;
  const delta = 1 + (k % 9);
  const v = (neg ? -n : n) + (k % 2 ? delta : -delta);
  return (v < 0 ? "-" : "") + dollar + Math.abs(v).toFixed(decimals);
}

/** Whether a ladder can be built for a contract at all (else: why not). */
export function ladderApplies(kind: LadderKind, contract: TaskContract, hasPool: boolean): string | null {
  const a = contract.answer.kind;
  if (kind === "off_domain" && !hasPool) return "needs records from another task (give at least two tasks)";
  if (kind === "format" && a === "free_text") return "free-text answers have no format to break";
  if (kind === "wrong_answer" && (a === "code" || a === "free_text")) return `${a === "code" ? "code" : "free-text"} answers have no checkable final value to perturb`;
  if (kind === "wrong_answer" && a === "marker" && !contract.numericAnswer) return "non-numeric final answers have no value to perturb";
  return null;
}

/** An answer in the task's format with the same content, reworded so the format breaks. */
export function breakFormat(answer: string, user: string, contract: TaskContract): string | null {
  const f = contract.answer;
  const fmt = checkAnswerFormat(answer, contract);
  switch (f.kind) {
    case "marker": {
      if (!fmt.ok) return null;
      const lines = answer.trimEnd().split("\n");
      lines[lines.length - 1] = `So the result comes out to ${fmt.final}.`;
      return lines.join("\n");
    }
    case "boxed":
      return fmt.ok ? answer.replace(/\\boxed\{/g, "(").replace(/\}(?![^{]*\})/, ")") : null;
    case "option_letter": {
      if (!fmt.ok) return null;
      const opt = parseOptions(user).find((o) => o.letter.toUpperCase() === fmt.final.toUpperCase());
      return opt ? `The best choice is "${opt.text}".` : `The best choice is the one listed in position ${fmt.final.toUpperCase().charCodeAt(0) - 64}.`;
    }
    case "label":
      return fmt.ok ? `It is hard to say for sure, but I would lean towards ${fmt.final} overall.` : null;
    case "number":
      return fmt.ok ? `About ${fmt.final}, give or take.` : null;
    case "code": {
      const { code } = extractCode(answer);
      return `Sure! Here is how you could write it, roughly:\n${code.replace(/^\s*```\w*\n?|```\s*$/g, "")}\nHope this helps, let me know if anything is unclear.`;
    }
    case "free_text":
      return null;
  }
}

/** The same answer with its final value changed: checkable where arithmetic or a reference exists. */
export function wrongAnswer(answer: string, user: string, contract: TaskContract, k: number): string | null {
  const f = contract.answer;
  const fmt = checkAnswerFormat(answer, contract);
  if (!fmt.ok) return null;
  if (f.kind === "label") {
    const others = f.labels.filter((l) => l !== fmt.final);
    if (!others.length) return null;
    const repl = others[k % others.length]!;
    const at = answer.lastIndexOf(fmt.final);
    const ci = at >= 0 ? at : answer.toLowerCase().lastIndexOf(fmt.final.toLowerCase());
    return ci >= 0 ? answer.slice(0, ci) + repl + answer.slice(ci + fmt.final.length) : repl;
  }
  if (f.kind === "option_letter") {
    const letters = parseOptions(user).map((o) => o.letter.toUpperCase());
    const pool = (letters.length ? letters : f.letters.map((l) => l.toUpperCase())).filter((l) => l !== fmt.final.toUpperCase());
    if (!pool.length) return null;
    const repl = pool[k % pool.length]!;
    const t = answer.trim();
    if (/^[([]?[A-Za-z][)\]]?[.:)]?$/.test(t)) return t.replace(/[A-Za-z]/, repl);
    const at = answer.lastIndexOf(fmt.final);
    return at >= 0 ? answer.slice(0, at) + repl + answer.slice(at + fmt.final.length) : null;
  }
  if (f.kind === "boxed") {
    // the last number inside the last box (answers without a number stay as they are)
    const at = answer.lastIndexOf("\\boxed{");
    if (at < 0) return null;
    let depth = 0;
    let end = -1;
    for (let i = at + 7; i < answer.length; i++) {
      if (answer[i] === "{") depth++;
      else if (answer[i] === "}") {
        if (depth === 0) {
          end = i;
          break;
        }
        depth--;
      }
    }
    if (end < 0) return null;
    const inner = answer.slice(at + 7, end);
    const h = [...inner.matchAll(NUM)].at(-1);
    if (!h) return null;
    const changed = inner.slice(0, h.index) + perturbNumber(h[0], k) + inner.slice(h.index! + h[0].length);
    return answer.slice(0, at + 7) + changed + answer.slice(end);
  }
  if (f.kind === "number" || f.kind === "marker") {
    // the final line's (or the box's) last number
    const lines = answer.trimEnd().split("\n");
    const last = lines[lines.length - 1]!;
    const hits = [...last.matchAll(NUM)];
    const h = hits.at(-1);
    if (!h) return null;
    lines[lines.length - 1] = last.slice(0, h.index) + perturbNumber(h[0], k) + last.slice(h.index! + h[0].length);
    return lines.join("\n");
  }
  return null;
}

const REFUSAL = "I'm sorry, but I can't help with that request.";

export function corrupt(records: ChatRecord[], kind: LadderKind, share: number, opts: CorruptOptions): Corrupted {
  const n = records.length;
  const order = shuffled(n, opts.seed);
  const k = Math.round(Math.min(1, Math.max(0, share)) * n);
  const clean = order.slice(k);
  const out = records.slice();
  let changed = 0;
  const pool = opts.pool ?? [];
  order.slice(0, k).forEach((i, rank) => {
    const r = records[i]!;
    const ai = lastAssistant(r);
    if (ai < 0) return;
    const answer = r.messages[ai]!.content;
    const user = userOf(r);
    let next: ChatRecord | null = null;
    switch (kind) {
      case "off_domain": {
        if (!pool.length) break;
        const other = pool[(rank * 7919 + opts.seed) % pool.length]!;
        // keep this task's system turn: only the content is off-domain
        const system = r.messages.filter((m) => m.role === "system");
        next = { ...other, messages: [...system, ...other.messages.filter((m: ChatMessage) => m.role !== "system")] };
        break;
      }
      case "format": {
        const a = breakFormat(answer, user, opts.contract);
        if (a !== null && a !== answer) next = withAnswer(r, a);
        break;
      }
      case "refusal_truncation": {
        const cut = answer.slice(0, Math.max(1, Math.floor(answer.length * 0.4)));
        next = withAnswer(r, rank % 2 === 0 ? REFUSAL : cut === answer ? `${answer.slice(0, -1) || "…"}` : cut);
        break;
      }
      case "wrong_answer": {
        const a = wrongAnswer(answer, user, opts.contract, rank + 1);
        if (a !== null && a !== answer) next = withAnswer(r, a);
        break;
      }
      case "duplicates": {
        // a copy of a record that stays clean (at share 1 there is none: copy the first record)
        const src = clean.length ? records[clean[rank % clean.length]!]! : records[order[0]!]!;
        if (src !== r) next = src;
        break;
      }
    }
    if (next) {
      out[i] = next;
      changed++;
    }
  });
  return { records: out, changed };
}
