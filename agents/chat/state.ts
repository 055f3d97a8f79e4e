/** Small pure helpers the chat graph's nodes use on its state. */
import type { BaseMessage } from "@langchain/core/messages";
import type { Plan } from "../planner/plan.js";
import { loadTaskSpec } from "../../src/task/spec.js";

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === "string" ? p : p && typeof p === "object" && "text" in p ? String((p as { text: unknown }).text) : "")).join("");
  return "";
}

/** The text of the last message a human sent ("" when there is none). */
export function lastUserText(messages: BaseMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    const type = typeof m.getType === "function" ? m.getType() : (m as unknown as { type?: string }).type;
    if (type === "human") return textOf(m.content).trim();
  }
  return "";
}

/** Source ids the user may name: the current task's and the last plan's. */
export function sourceIdsOf(taskPath: string | undefined, plan: Plan | undefined): string[] {
  const ids = new Set<string>();
  for (const d of plan?.training_data ?? []) ids.add(d.dataset_id);
  for (const r of plan?.rejected ?? []) ids.add(r.dataset_id);
  if (taskPath) {
    try {
      for (const s of loadTaskSpec(taskPath).spec.sources) ids.add(s.id);
    } catch {
      // an unreadable spec names no sources; the cook node reports the error
    }
  }
  return [...ids];
}

/** One line of progress for a recipe-graph node update (forwarded to the chat's stream). */
export function describeRecipeUpdate(node: string, update: unknown): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const u = (update ?? {}) as Record<string, any>;
  switch (node) {
    case "load_task": {
      const n = u.prepared?.profiles?.length;
      return `loaded ${u.loaded?.spec?.id ?? "the task"}${n !== undefined ? `, ${n} sources profiled` : ""}`;
    }
    case "plan": {
      const p = u.recipePlan as Plan | undefined;
      if (!p) return "planned";
      return `${p.training_data.length} source(s) chosen (${p.training_data.map((d) => d.dataset_id).join(", ") || "none"}), ${p.rejected.length} dropped`;
    }
    case "approve": {
      const a = u.approval as { action?: string; sources?: string[] } | undefined;
      if (a?.action === "edit") return `re-planning with ${a.sources?.join(", ")}`;
      return a?.action === "reject" ? "plan rejected" : "plan approved";
    }
    case "write_code":
      return u.codeError ? `no code: ${u.codeError}` : u.fix ? `repaired: ${u.fix}` : "recipe.py and check.py written";
    case "execute": {
      const a = u.attempts?.[0];
      if (!a) return "executed";
      return `attempt ${a.n} ${a.ok ? `ok, ${a.records} records` : `failed (${a.error?.kind ?? "error"}: ${String(a.error?.message ?? "").slice(0, 160)})`}`;
    }
    case "verify": {
      const r = u.report;
      return r ? `status ${r.status}, reward ${Number(r.reward).toFixed(3)}` : "verified";
    }
    default:
      return "done";
  }
}
