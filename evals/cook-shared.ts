/**
 * Cooks every task spec in a folder (default ../shared/tasks) with the built-in policy and checks
 * each run independently: chat format of every line and a separate 13-gram leak check against
 * the benchmark file. Run: npx tsx evals/cook-shared.ts [--tasks DIR] [--seed N] [--out DIR]
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cookTask } from "../src/cli/cook.js";
import { ProgressDisplay } from "../src/cli/progress.js";
import { formatTable } from "../src/cli/tasks.js";
import { chatRecordError } from "../src/data/chat.js";
import { loadTaskSpec } from "../src/task/spec.js";
import { leakCheck, type LeakCheck } from "./leak-check.js";
import { SHARED_TASKS } from "./shared.js";

export interface CookRow {
  task: string;
  status: string;
  attempts: number;
  sources: string[];
  records: number;
  reward: number;
  grades: Record<string, number>;
  invalidLines: number;
  leaks: LeakCheck;
  wallMs: number;
  timings: Record<string, number>;
}

export function countInvalidLines(dataPath: string): number {
  let bad = 0;
  for (const line of readFileSync(dataPath, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      if (chatRecordError(JSON.parse(line)) !== null) bad++;
    } catch {
      bad++;
    }
  }
  return bad;
}

export async function cookOne(specPath: string, outDir: string, seed: number): Promise<CookRow> {
  const t0 = Date.now();
  const { report } = await cookTask(specPath, { out: outDir, seed, samples: 100, policy: "builtin", temperature: 1, sandbox: "auto", maxAttempts: 3, force: true }, new ProgressDisplay(process.stderr, true));
  const wallMs = Date.now() - t0;
  const benchmark = loadTaskSpec(specPath).spec.benchmark.path;
  const data = path.join(outDir, "data.jsonl");
  const ok = report.status === "ok";
  return {
    task: report.task,
    status: report.status,
    attempts: report.attempts,
    sources: report.sources_used,
    records: report.records,
    reward: report.reward,
    grades: report.verifier.grades,
    invalidLines: ok ? countInvalidLines(data) : -1,
    leaks: ok ? await leakCheck(benchmark, data) : { records: 0, strict: 0, substantial: 0, examples: [] },
    wallMs,
    timings: report.timings_ms,
  };
}

export function specFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => path.join(dir, f));
}

export function cookTable(rows: CookRow[]): string {
  const header = ["task", "status", "att", "records", "reward", "inv/fmt/inc/mis/pass", "bad lines", "leaks strict/substantial", "wall", "sources"];
  const body = rows.map((r) => [
    r.task,
    r.status,
    String(r.attempts),
    String(r.records),
    r.reward.toFixed(3),
    ["invalid", "format_error", "incorrect", "task_mismatch", "pass"].map((g) => r.grades[g] ?? 0).join("/"),
    String(r.invalidLines),
    `${r.leaks.strict}/${r.leaks.substantial}`,
    `${(r.wallMs / 1000).toFixed(1)}s`,
    r.sources.join(","),
  ]);
  return formatTable([header, ...body]);
}

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : dflt;
  };
  const dir = opt("--tasks", SHARED_TASKS);
  const seed = Number(opt("--seed", "1"));
  const outRoot = opt("--out", mkdtempSync(path.join(os.tmpdir(), "datachef-cook-shared-")));
  const rows: CookRow[] = [];
  for (const spec of specFiles(dir)) {
    const row = await cookOne(spec, path.join(outRoot, path.basename(spec, ".json")), seed);
    rows.push(row);
    process.stderr.write(`${row.task}: ${row.status} in ${(row.wallMs / 1000).toFixed(1)}s\n`);
  }
  console.log(cookTable(rows));
  console.log(`runs in ${outRoot}`);
  const bad = rows.filter((r) => r.status !== "ok" || r.attempts !== 1 || r.invalidLines !== 0 || r.leaks.substantial !== 0);
  if (bad.length) {
    console.error(`FAILED: ${bad.map((r) => r.task).join(", ")}`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
