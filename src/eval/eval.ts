/**
 * `datachef eval` as a library call: harness, then (optionally) the downstream proxy and the
 * LangSmith experiments, then eval.json and eval.html (atomic writes).
 */
import path from "node:path";
import type { ChatRecord } from "../data/chat.js";
import { writeFileAtomic } from "../recipe/run-dir.js";
import { downstreamForTask } from "./downstream.js";
import { runHarness, summarizeHarness, type EvalOptions, type HarnessRun } from "./harness.js";
import { renderEvalHtml } from "./html.js";
import { langsmithEnabled, logEvalToLangSmith } from "./langsmith.js";
import { readChat } from "./proxy/proxy.js";
import type { EvalResult, RecipeRow } from "./types.js";

export interface RunEvalOptions extends EvalOptions {
  downstream?: boolean;
  /** Log to LangSmith when LANGSMITH_API_KEY is set (default true). */
  langsmith?: boolean;
}

/** Records of the best output of every task but one: off-domain material for that task. */
export function offDomainPool(byTask: { task: string; rows: RecipeRow[] }[], except: string, perTask = 300): ChatRecord[] {
  const out: ChatRecord[] = [];
  for (const t of byTask) {
    if (t.task === except) continue;
    const best = t.rows.filter((r) => r.status === "ok").sort((a, b) => b.score - a.score)[0];
    if (!best) continue;
    const recs = readChat(path.join(best.outDir, "data.jsonl"));
    const step = Math.max(1, Math.floor(recs.length / perTask));
    for (let i = 0; i < recs.length && out.length < perTask * byTask.length; i += step) out.push(recs[i]!);
  }
  return out;
}

export async function addDownstream(result: EvalResult, run: HarnessRun, opts: Pick<RunEvalOptions, "out" | "log">): Promise<void> {
  const byTask = run.tasks.map((t) => ({ task: t.task.loaded.spec.id, rows: t.rows }));
  result.downstream = [];
  for (const [i, t] of run.tasks.entries()) {
    const id = t.task.loaded.spec.id;
    const d = await downstreamForTask({ task: t.task, rows: t.rows, pool: offDomainPool(byTask, id), outDir: opts.out, ctx: run.ctx, ...(opts.log ? { log: opts.log } : {}) });
    if (!d) continue;
    result.tasks[i]!.downstream = d;
    result.downstream.push({ task: id, pearson: d.pearson, spearman: d.spearman, datasets: d.datasets.length, recipesOnly: d.recipesOnly });
  }
}

export function writeEvalFiles(result: EvalResult, out: string): { json: string; html: string } {
  const json = path.join(out, "eval.json");
  const html = path.join(out, "eval.html");
  writeFileAtomic(html, renderEvalHtml(result, out));
  writeFileAtomic(json, JSON.stringify(result, null, 2) + "\n");
  return { json, html };
}

export async function runEval(opts: RunEvalOptions): Promise<EvalResult> {
  const run = await runHarness(opts);
  const result = summarizeHarness(run, opts);
  if (opts.downstream) {
    const t0 = Date.now();
    await addDownstream(result, run, opts);
    opts.log?.(`downstream proxy done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  if (opts.langsmith !== false && langsmithEnabled()) {
    try {
      result.langsmith = await logEvalToLangSmith(result);
      opts.log?.(`LangSmith: ${result.langsmith.runs} runs in experiments ${result.langsmith.experiments.join(", ")}`);
    } catch (e) {
      // the evaluation itself stands; say what went wrong
      result.langsmith = { error: (e as Error).message.split("\n")[0]! };
      opts.log?.(`warning: LangSmith logging failed: ${result.langsmith.error}`);
    }
  }
  result.wallMs = Date.now() - Date.parse(result.createdAt) + run.wallMs;
  writeEvalFiles(result, opts.out);
  return result;
}
