/**
 * The answer to the plan-approval interrupt, from whatever a client sends: the object
 * `{action, sources?}`, or plain words typed in Studio or a terminal ("approve", "reject",
 * "use only a and b"). An answer that cannot be understood rejects: a plan never runs on a
 * misread answer.
 */

export interface Approval {
  action: "approve" | "reject" | "edit";
  sources?: string[];
  note?: string;
}

const APPROVE = /^(approve[ds]?|approval|yes|y|yep|yeah|ok(ay)?|go( ahead)?|lgtm|sure|continue|proceed|run( it)?|cook( it)?|do it|looks good)\b/;
const REJECT = /^(reject(ed)?|no|n|nope|cancel|stop|abort|quit|don'?t|do not)\b/;
const EDIT = /^(edit|sources?|(please )?(use|keep) only|only( use)?|just( use)?|restrict( it)?( to)?|limit( it)?( to)?)\b[:\s]*/;

/** Source ids from a list in words: "a, b and c", "`a` & b", "a plus b". */
export function parseSourceList(text: string): string[] {
  const ids = text
    .replace(/[`'"“”‘’]/g, " ")
    .split(/\s*(?:,|;|&|\+|\band\b|\bplus\b|\bor\b)\s*|\s+/i)
    .map((s) => s.trim().replace(/[.!?:)]+$/, "").replace(/^[(]+/, ""))
    .filter((s) => /^[\w][\w.\-/]*$/.test(s) && !/^(the|sources?|datasets?|only|use|please|it|them|just|with)$/i.test(s));
  return [...new Set(ids)];
}

export function normalizeApproval(answer: unknown): Approval {
  if (answer === undefined || answer === null || answer === true) return { action: "approve" };
  if (answer === false) return { action: "reject" };
  if (typeof answer === "string") return approvalFromText(answer);
  if (typeof answer === "object") {
    const a = answer as { action?: unknown; sources?: unknown; note?: unknown };
    const note = typeof a.note === "string" ? a.note : undefined;
    const action = typeof a.action === "string" ? a.action.trim().toLowerCase() : undefined;
    if (action === "approve" || action === "reject") return { action, ...(note ? { note } : {}) };
    if (action === "edit") {
      const sources = Array.isArray(a.sources) ? a.sources.filter((s): s is string => typeof s === "string" && !!s.trim()).map((s) => s.trim()) : typeof a.sources === "string" ? parseSourceList(a.sources) : [];
      if (sources.length) return { action: "edit", sources, ...(note ? { note } : {}) };
      return { action: "reject", note: "an edit needs at least one source id; the plan was not run" };
    }
    return { action: "reject", note: `unrecognised answer ${JSON.stringify(answer).slice(0, 120)}; expected {"action": "approve" | "reject" | "edit", "sources": [...]}` };
  }
  return { action: "reject", note: `unrecognised answer ${String(answer).slice(0, 120)}` };
}

function approvalFromText(raw: string): Approval {
  const t = raw.trim().replace(/^["']|["']$/g, "");
  const text = t.toLowerCase();
  const edit = EDIT.exec(text);
  if (edit) {
    const sources = parseSourceList(t.slice(edit[0].length));
    if (sources.length) return { action: "edit", sources };
  }
  if (REJECT.test(text)) return { action: "reject" };
  if (APPROVE.test(text)) return { action: "approve" };
  return { action: "reject", note: `unrecognised answer '${raw.trim().slice(0, 120)}'; say approve, reject, or "use only <source>, <source>"` };
}

/** What the interrupt tells a client it may answer. */
export const APPROVAL_ANSWERS = `"approve" | "reject" | "use only <id>, <id>" | {"action": "approve" | "reject"} | {"action": "edit", "sources": ["<id>", ...]}`;
