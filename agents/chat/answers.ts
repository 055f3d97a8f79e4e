/**
 * The chat's replies, as pure functions of plans, reports and listings (markdown-light text that
 * reads well both in Studio's chat and in a terminal).
 */
import type { Plan } from "../planner/plan.js";
import type { Report } from "../../src/verify/report.js";
import type { TaskListing } from "../../src/cli/tasks.js";
import { formatTable } from "../../src/cli/tasks.js";
import { GRADES } from "../../src/verify/types.js";

/** What the help lists as examples: named after the current task's sources when one is known. */
export interface HelpHints {
  /** The current task spec (path as the user would type it). */
  task?: string;
  sources?: string[];
}

export function examples(h: HelpHints = {}): string[] {
  const [a = "source_a", b = "source_b"] = h.sources ?? [];
  const c = h.sources && h.sources.length > 2 ? h.sources.at(-1)! : "source_c";
  return [
    "what tasks are there in ./tasks?",
    `cook a recipe for ${h.task ?? "tasks/my_task.json"}`,
    `use only ${a} and ${b}`,
    "keep it under 2,000 records   (also: seed 3)",
    `why did you drop source ${c}?`,
    "verify my file data/mine.jsonl against this task",
  ];
}

export function helpText(h: HelpHints = {}): string {
  return [
    "I cook data recipes for adapting LLMs, and explain them. You can say:",
    ...examples(h).map((e) => `  • ${e}`),
    "Before a recipe runs I show its plan and wait: answer approve, reject, or \"use only <source>, <source>\".",
  ].join("\n");
}

export function notUnderstood(text: string, note?: string, h: HelpHints = {}): string {
  const shown = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return [`I did not understand "${shown}"${note ? ` (${note})` : ""}.`, "", helpText(h)].join("\n");
}

export function tasksReply(dir: string, listing: TaskListing): string {
  if (!listing.tasks.length && !listing.errors.length) return `There is no task spec (*.json) in ${dir}.`;
  const rows = [["id", "domain", "sources", "max_records", "file"]];
  for (const t of listing.tasks) rows.push([t.id, t.domain, String(t.sources), String(t.max_records), t.file]);
  const out = [`${listing.tasks.length} task spec(s) in ${dir}:`, "```", formatTable(rows), "```"];
  for (const e of listing.errors) out.push(`(skipped: ${e.error})`);
  if (listing.tasks.length) out.push(`Say "cook ${listing.tasks[0]!.id}" (or a file path) to cook one.`);
  return out.join("\n");
}

/** The plan in a few lines: chosen sources with their record counts, dropped sources. */
export function planSummary(plan: Plan): string {
  const chosen = plan.training_data.map((d) => `${d.dataset_id} (${d.sample_num})`);
  const dropped = plan.rejected.map((r) => r.dataset_id);
  return [`Sources: ${chosen.join(", ") || "none"}`, dropped.length ? `Dropped: ${dropped.join(", ")}` : ""].filter(Boolean).join("\n");
}

function findSource<T extends { dataset_id: string }>(items: T[], id: string): T | undefined {
  const lower = id.toLowerCase();
  return items.find((x) => x.dataset_id === id) ?? items.find((x) => x.dataset_id.toLowerCase() === lower) ?? items.find((x) => x.dataset_id.toLowerCase().includes(lower));
}

/** "Why did you drop X?", answered from the plan's own reasons. */
export function explainSource(plan: Plan | undefined, source: string, task?: string): string {
  if (!plan) return `I have no plan to explain yet. Cook a task first (e.g. "cook tasks/my_task.json"), then ask me about its sources.`;
  const rejected = findSource(plan.rejected, source);
  if (rejected) return `I dropped ${rejected.dataset_id}${task ? ` from ${task}` : ""}: ${rejected.reason}.`;
  const used = findSource(plan.training_data, source);
  if (used) return `I did not drop ${used.dataset_id}: the plan uses ${used.sample_num} records from it (${used.split}). Reason: ${used.reason}.`;
  const all = [...plan.training_data.map((d) => d.dataset_id), ...plan.rejected.map((r) => r.dataset_id)];
  return `${source} is not a source of ${task ?? "the last plan"}. Its sources are: ${all.join(", ") || "none"}.`;
}

export interface FailureReason {
  /** The kind of failure: the reason's lead ("arithmetic error"), or the reason with figures masked. */
  reason: string;
  count: number;
  grades: string[];
  example: string;
}

/** A reason with its figures masked, so "3 * 11 = 30" and "6 * 22 = 139" count as one kind. */
export function reasonKey(reason: string): string {
  return reasonKind(reason).toLowerCase();
}

/** The readable kind of a reason: its lead before ": " when there is one, else the reason with figures masked. */
export function reasonKind(reason: string): string {
  const head = reason.split(/:\s/)[0]!;
  const base = head.length >= 8 && head.length < reason.length ? head : reason;
  return base
    .replace(/'[^']*'|"[^"]*"|`[^`]*`/g, "…")
    .replace(/-?\d+(?:[.,]\d+)*/g, "N")
    .replace(/\s+/g, " ")
    .trim();
}

/** The k most common reasons among samples that did not pass (ties: worse grade first). */
export function topFailureReasons(samples: Report["samples"], k = 3): FailureReason[] {
  const groups = new Map<string, FailureReason & { rank: number }>();
  for (const s of samples ?? []) {
    if (s.grade === "pass") continue;
    const key = reasonKey(s.reason);
    const g = groups.get(key) ?? { reason: reasonKind(s.reason), count: 0, grades: [], example: s.reason, rank: GRADES.indexOf(s.grade) };
    g.count++;
    if (!g.grades.includes(s.grade)) g.grades.push(s.grade);
    g.rank = Math.min(g.rank, GRADES.indexOf(s.grade));
    groups.set(key, g);
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || a.rank - b.rank || a.reason.localeCompare(b.reason))
    .slice(0, k)
    .map(({ rank: _r, ...rest }) => rest);
}

/** Failure reasons of a run: graded-sample reasons, else the run's own reason and failed attempts. */
export function runFailureReasons(report: Report, k = 3): string[] {
  const graded = topFailureReasons(report.samples, k).map((f) => `${f.reason} — ${f.count}× ${f.grades.join("/")}${f.example !== f.reason ? ` (e.g. "${f.example.slice(0, 160)}")` : ""}`);
  if (graded.length) return graded;
  const out: string[] = [];
  if (report.reason) out.push(report.reason);
  for (const a of report.attempts_detail ?? []) if (!a.ok && a.error && !out.includes(a.error)) out.push(`attempt ${a.n}: ${a.error}`);
  return out.slice(0, k);
}

export function gradeSummary(report: Report): string {
  const g = report.verifier.grades;
  const parts = GRADES.filter((x) => g[x] > 0).map((x) => `${x} ${g[x]}`);
  return `${report.verifier.sampled} graded: ${parts.join(", ") || "none"} (mean score ${report.verifier.mean_score.toFixed(3)})`;
}

/** The final message of a cook (or a verify): reward, grades, artifacts, top failure reasons. */
export function runSummary(report: Report, opts: { outDir?: string; plan?: Plan; kind?: "cook" | "verify" }): string {
  const head = report.status === "ok" ? `✅ ${report.task}: status ok, reward ${report.reward.toFixed(3)}` : `❌ ${report.task}: status ${report.status}, reward ${report.reward.toFixed(3)}${report.reason ? ` — ${report.reason}` : ""}`;
  const lines = [head, `Grades: ${gradeSummary(report)}`, `Records: ${report.records}${report.sources_used.length ? ` from ${report.sources_used.join(", ")}` : ""}; attempts: ${report.attempts}`];
  if (opts.outDir) {
    const files = opts.kind === "verify" ? "report.html, report.json" : "report.html, report.json, plan.md, recipe.py, check.py, data.jsonl";
    lines.push(`Artifacts: ${opts.outDir} (${files})`);
  }
  const reasons = runFailureReasons(report);
  lines.push(reasons.length ? `Most common failure reasons:\n${reasons.map((r, i) => `  ${i + 1}. ${r}`).join("\n")}` : "Most common failure reasons: none (every graded sample passed).");
  const dropped = opts.plan?.rejected.map((r) => r.dataset_id) ?? [];
  if (dropped.length) lines.push(`Dropped sources: ${dropped.join(", ")} (ask "why did you drop ${dropped[0]}?")`);
  return lines.join("\n");
}

function clipLine(s: string, n: number): string {
  const one = s.replace(/\s*\n\s*/g, " ").trimEnd();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** The plan as the approval prompt shows it: each source used or dropped, with its reason. */
export function planForApproval(plan: Plan, task?: string, width = 160): string {
  const idW = Math.max(4, ...plan.training_data.map((d) => d.dataset_id.length), ...plan.rejected.map((r) => r.dataset_id.length));
  const lines = [`Plan${task ? ` for ${task}` : ""}:`];
  for (const d of plan.training_data) lines.push(clipLine(`  use   ${d.dataset_id.padEnd(idW)}  ${String(d.sample_num).padStart(6)} records  ${d.reason}`, width));
  for (const r of plan.rejected) lines.push(clipLine(`  drop  ${r.dataset_id.padEnd(idW)}  ${r.reason}`, width));
  if (!plan.training_data.length) lines.push("  (no source is used: this plan produces no data)");
  const ops = plan.operations;
  const steps = [ops.dedup_exact ? "exact dedup" : "", ops.dedup_near ? `near dedup ≥ ${ops.near_threshold}` : "", ops.filter_outliers ? `length outliers |z| > ${ops.outlier_z}` : "", ops.decontaminate ? "decontaminate" : ""].filter(Boolean);
  if (steps.length) lines.push(`  then  ${steps.join(", ")}`);
  return lines.join("\n");
}
