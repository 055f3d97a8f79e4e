/**
 * `datachef report <store | run folder | report.json>`: renders a rollout store as an HTML page
 * (reward per group, spread, training curve), or re-renders a run's report.html from its
 * report.json. The page is self-contained; its path is printed.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ReportSchema } from "../verify/report.js";
import { renderReportHtml } from "../verify/report-html.js";
import { writeFileAtomic } from "../recipe/run-dir.js";
import { loadStoreReport, StoreReportError } from "../report/store-data.js";
import { renderStoreReportHtml } from "../report/store-page.js";
import { CliError } from "./errors.js";

export interface ReportCliOptions {
  out?: string;
  collection?: string;
  curve?: string;
  json?: boolean;
}

function reportJsonOf(target: string): string | undefined {
  if (statSync(target).isDirectory()) {
    const f = path.join(target, "report.json");
    return existsSync(f) ? f : undefined;
  }
  return target.endsWith(".json") ? target : undefined;
}

export async function reportCommand(target: string, opts: ReportCliOptions): Promise<number> {
  if (!existsSync(target)) throw new CliError(`${target}: no such rollout store, run folder or report.json`);
  const json = reportJsonOf(target);
  if (json) {
    let parsed;
    try {
      parsed = ReportSchema.safeParse(JSON.parse(readFileSync(json, "utf8")));
    } catch (e) {
      throw new CliError(`${json}: not valid JSON (${(e as Error).message})`);
    }
    if (!parsed.success) throw new CliError(`${json}: not a datachef report (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})`);
    const out = opts.out ?? path.join(path.dirname(json), "report.html");
    writeFileAtomic(out, renderReportHtml(parsed.data));
    process.stdout.write(opts.json ? `${JSON.stringify({ html: path.resolve(out), task: parsed.data.task, status: parsed.data.status, reward: parsed.data.reward })}\n` : `${path.resolve(out)}\n`);
    return 0;
  }
  if (statSync(target).isDirectory()) throw new CliError(`${target}: a folder without report.json; give a rollout store (SQLite file), a run folder or a report.json`);
  let data;
  try {
    data = await loadStoreReport(target, { collection: opts.collection, curve: opts.curve });
  } catch (e) {
    if (e instanceof StoreReportError) throw new CliError(e.message);
    throw e;
  }
  const out = opts.out ?? target.replace(/\.(sqlite3?|db)$/i, "") + ".html";
  writeFileAtomic(out, renderStoreReportHtml(data));
  if (opts.json) process.stdout.write(`${JSON.stringify({ html: path.resolve(out), ...data }, null, 2)}\n`);
  else {
    const rewards = data.groups.flatMap((g) => g.rewards);
    const mean = rewards.length ? rewards.reduce((a, b) => a + b, 0) / rewards.length : 0;
    process.stdout.write(`${data.rollouts} rollouts in ${data.groups.length} groups, mean reward ${mean.toFixed(3)}${data.training ? `, training curve over ${data.training.length} steps` : ""}\n${path.resolve(out)}\n`);
  }
  return 0;
}
