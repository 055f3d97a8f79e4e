/**
 * The built-in request parser (no model): a handful of phrasings per request, matched with
 * patterns, and a plain "I did not understand" otherwise. Deterministic and side-effect free.
 */
import { parseSourceList } from "../../src/recipe/approval.js";
import type { ChatRequest, ParseHints } from "./request.js";

const PATH_RE = /(?:^|[\s(`'"])((?:~|\.{1,2})?\/?[\w.\-/~]*[\w\-]\.(?:jsonl|json|csv|parquet))(?=$|[\s,;:?!)`'"]|\.(?:\s|$))/gi;
const SEP = String.raw`(?=$|[.;!?]|,?\s+(?:and\s+)?(?:keep|under|below|at most|no more|fewer|less|max|up to|with seed|seed|budget|then|please)\b)`;
/** Words after which a list of sources follows. */
const ONLY_RES = [
  new RegExp(String.raw`\b(?:use|using|with|keep|take)\s+only\s+(.+?)${SEP}`, "i"),
  new RegExp(String.raw`\bonly\s+(?:use|using|with|from)\s+(.+?)${SEP}`, "i"),
  new RegExp(String.raw`\b(?:just|only)\s+(?:the\s+)?sources?\s+(.+?)${SEP}`, "i"),
  new RegExp(String.raw`\b(?:restrict|limit)\s+(?:it\s+|the\s+sources\s+|yourself\s+)?to\s+(.+?)${SEP}`, "i"),
];
const BUDGET_RES = [
  /\b(?:under|below|at most|no more than|not more than|fewer than|less than|max(?:imum)?(?:\s+of)?|up to|cap(?:ped)?(?:\s+it)?\s+at|limit(?:ed)?(?:\s+it)?\s+to|budget(?:\s+of|\s+to|\s*[:=])?|keep it (?:to|at))\s+(?:~\s*|about\s+|around\s+)?(\d[\d,_.]*\s*k?)\s*(?:records|examples|samples|rows|items|conversations|lines)?\b/i,
  /\b(\d[\d,_.]*\s*k?)\s*(?:records|examples|samples|rows|conversations)\s+(?:max(?:imum)?|at most|or (?:fewer|less))\b/i,
  /\bmax[_ -]?records\s*[:=]?\s*(\d[\d,_.]*\s*k?)/i,
];
const SEED_RE = /\bseed\s*(?:=|:|to|of)?\s*(\d+)\b/i;
const ALL_SOURCES_RE = /\b(?:use|using|with|allow)\s+(?:all|every|any)\s+(?:the\s+|of the\s+)?sources?\b|\bno (?:source )?restriction\b/i;
/** "cook" and "recipe" always mean cooking; other verbs only with a task named (not "make me a sandwich"). */
const COOK_RE = /\b(?:cook|recipe)\b/i;
const WEAK_COOK_RE = /\b(?:make|build|create|prepare|generate|produce|run|plan|try)\b/i;
const GO_RE = /^(?:go|go ahead|again|retry|redo|do it|once more|cook|start)\b[.!]*$/i;
const HELP_RE = /^(?:help|\?+|h|usage|commands?|menu|hi|hello|hey)\b[.!?]*$|what can you do|how do(?:es)? (?:this|it|you) work|what do you (?:do|understand)/i;
const APPROVAL_RE = /^(?:approve[ds]?|yes|y|ok(?:ay)?|lgtm|reject(?:ed)?|no|n|cancel)\b[.!]*$/i;
const LIST_RE = /\b(?:list|show|what|which|any|see|find|available)\b[^.?!]*?\btasks?\b(?![/\\.]\w)|^tasks?\b(?![/\\.]\w)/i;
const DIR_RE = /\b(?:in|under|inside|from|at|of)\s+(?:the\s+)?(?:folder|directory|dir)?\s*[`'"]?((?:~|\.{1,2})?\/?[\w.\-/~]+)[`'"]?/i;
const WHY_RE = /\bwhy\b|\breason\b|\bexplain\b|\bhow come\b/i;
const VERIFY_RE = /\b(?:verify|score|grade|check|evaluate|judge|rate)\b/i;
const AGAINST_RE = /\b(?:against|for|with|on)\s+(?:the\s+)?(?:task\s+)?[`'"]?([\w.\-/~]+)[`'"]?/i;
const THIS_TASK_RE = /^(?:this|it|that|current|same|the)$/i;
/** Words that follow "cook"/"for" without naming a task. */
const NOT_A_TASK = /^(?:me|us|a|an|again|now|please|another|one|more|task|recipe|records?|with|using|use|only|under|seed|keep|and|then|up|to|at|data)$/i;

function cleanToken(s: string): string {
  return s.trim().replace(/^[`'"(]+|[`'")?!,.;:]+$/g, "");
}

function paths(text: string): string[] {
  return [...text.matchAll(PATH_RE)].map((m) => cleanToken(m[1]!));
}

/** "2,000" -> 2000, "2k" -> 2000, "2.5k" -> 2500. */
export function parseCount(raw: string): number | undefined {
  const s = raw.replace(/[\s,_]/g, "").toLowerCase();
  const k = s.endsWith("k");
  const n = Number(k ? s.slice(0, -1) : s);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  const v = Math.round(k ? n * 1000 : n);
  return Number.isInteger(v) && v > 0 ? v : undefined;
}

function budgetOf(text: string): number | undefined {
  for (const re of BUDGET_RES) {
    const m = re.exec(text);
    if (m) {
      const n = parseCount(m[1]!);
      if (n) return n;
    }
  }
  return undefined;
}

function sourcesOf(text: string): string[] | undefined {
  for (const re of ONLY_RES) {
    const m = re.exec(text);
    if (!m) continue;
    // "limit it to 2000 records" is a budget, not a source list
    if (/^\s*~?\d[\d,_.]*\s*k?\s*(records|examples|samples|rows|items|conversations|lines)?\s*$/i.test(m[1]!)) continue;
    const ids = parseSourceList(m[1]!);
    if (ids.length) return ids;
  }
  return undefined;
}

/** The known id the text names (longest first, so "news_v2_clean" wins over "news_v2"). */
function knownIdIn(text: string, ids: string[] | undefined): string | undefined {
  const lower = text.toLowerCase();
  return [...(ids ?? [])]
    .sort((a, b) => b.length - a.length)
    .find((id) => new RegExp(String.raw`(^|[^\w.-])${id.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\w-])`).test(lower));
}

/** The source a "why" question is about. */
function askedSource(text: string, hints: ParseHints): string | undefined {
  const known = knownIdIn(text, hints.sources);
  if (known) return known;
  const named = /\b(?:source|dataset)\s+[`'"]?([\w.\-/]+)/i.exec(text) ?? /\b(?:drop|dropped|reject|rejected|exclude|excluded|skip|skipped|ignore|ignored|remove|removed|leave out|left out|not use|n't use|use|used|choose|chose|pick|picked|select|selected|keep|kept|include|included)\s+[`'"]?([\w.\-/]+)/i.exec(text);
  const id = named ? cleanToken(named[1]!) : undefined;
  return id && !/^(the|that|this|it|source|dataset|them|any|out)$/i.test(id) ? id : undefined;
}

function taskRefOf(text: string, hints: ParseHints, exclude: string[] = []): string | undefined {
  const p = paths(text).find((x) => !exclude.includes(x) && /\.json$/i.test(x));
  if (p) return p;
  const known = knownIdIn(text, hints.taskIds);
  if (known) return known;
  const candidates = [
    /\b(?:for|on|of)\s+(?:the\s+)?(?:task\s+)?[`'"]?([\w][\w.\-/]*)[`'"]?/i.exec(text),
    /\b(?:cook|make|build|run|prepare|try)\s+(?:me\s+)?(?:a\s+|the\s+|another\s+)?(?:new\s+)?(?:data\s+)?(?:recipe\s+)?(?:for\s+)?(?:task\s+)?[`'"]?([\w][\w.\-/]*)[`'"]?/i.exec(text),
  ];
  for (const m of candidates) {
    if (!m) continue;
    const id = cleanToken(m[1]!);
    if (!THIS_TASK_RE.test(id) && !NOT_A_TASK.test(id)) return id;
  }
  return undefined;
}

/** Parses one chat message. `hints` name the ids the user may mention. */
export function parseRequest(message: string, hints: ParseHints = {}): ChatRequest {
  const text = message.trim();
  const base = { text, via: "builtin" as const };
  if (!text || HELP_RE.test(text)) return { ...base, intent: "help" };

  if (WHY_RE.test(text) && !VERIFY_RE.test(text)) {
    const source = askedSource(text, hints);
    if (source) return { ...base, intent: "explain", source };
    return { ...base, intent: "unknown", note: "I could not tell which source you are asking about" };
  }

  const filePaths = paths(text);
  if (VERIFY_RE.test(text) && filePaths.some((p) => !/\.json$/i.test(p) || /\bfile\b/i.test(text))) {
    const against = AGAINST_RE.exec(text.slice(text.search(/\bagainst\b/i) >= 0 ? text.search(/\bagainst\b/i) : text.length));
    const taskWord = against ? cleanToken(against[1]!) : undefined;
    const task = taskWord && !THIS_TASK_RE.test(taskWord) ? taskWord : undefined;
    const data = filePaths.find((p) => p !== task);
    if (data) return { ...base, intent: "verify", data, ...(task ? { task } : {}) };
  }
  if (VERIFY_RE.test(text) && /\b(?:file|data|dataset|jsonl)\b/i.test(text) && !filePaths.length)
    return { ...base, intent: "unknown", note: "which file should I verify? Name it, e.g. 'verify data/mine.jsonl against this task'" };

  if (LIST_RE.test(text) && !COOK_RE.test(text.replace(/\btasks?\b.*$/i, "")) && !WEAK_COOK_RE.test(text.replace(/\btasks?\b.*$/i, ""))) {
    const dir = DIR_RE.exec(text.slice(text.search(/\btasks?\b/i)));
    return { ...base, intent: "list_tasks", ...(dir ? { dir: cleanToken(dir[1]!) } : {}) };
  }

  const sources = sourcesOf(text);
  const allSources = ALL_SOURCES_RE.test(text) || undefined;
  const maxRecords = budgetOf(text);
  const seedMatch = SEED_RE.exec(text);
  const seed = seedMatch ? Number(seedMatch[1]) : undefined;
  const mods = { ...(sources ? { sources } : {}), ...(allSources ? { allSources } : {}), ...(maxRecords ? { maxRecords } : {}), ...(seed !== undefined ? { seed } : {}) };
  const hasMods = Object.keys(mods).length > 0;

  const jsonPaths = filePaths.filter((p) => /\.json$/i.test(p));
  const named = jsonPaths[0] ?? knownIdIn(text, hints.taskIds);
  if (COOK_RE.test(text) || GO_RE.test(text) || (WEAK_COOK_RE.test(text) && named) || (jsonPaths.length === 1 && text.replace(jsonPaths[0]!, "").trim().length < 3)) {
    const task = taskRefOf(text, hints);
    return { ...base, intent: "cook", ...(task ? { task } : {}), ...mods };
  }
  if (hasMods) return { ...base, intent: "set", ...mods };
  if (APPROVAL_RE.test(text)) return { ...base, intent: "approval" };
  return { ...base, intent: "unknown" };
}
