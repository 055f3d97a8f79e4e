/**
 * Kills a rollout collection with SIGKILL at random points, resumes it each time, and checks the
 * store ends with exactly the expected rollouts (no loss, no duplicates, every group scored).
 * Run: npx tsx evals/rollout-resume.ts [--tasks DIR] [--group 8] [--kills 3] [--store FILE] [--seed N] [-- extra rollouts args]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { mulberry32 } from "../agents/planner/random.js";
import { REPO_ROOT } from "../src/recipe/paths.js";
import { SHARED_TASKS } from "./shared.js";

export interface KillRecord {
  /** Rollouts in the store when the process was killed. */
  storedAtKill: number;
  atMs: number;
}

export interface ResumeResult {
  kills: KillRecord[];
  final: { count: number; distinctKeys: number; groups: number; completeGroups: number; withAdvantage: number; failed: number };
  lastRun: { code: number | null; stdout: string; stderr: string; wallMs: number };
  totalWallMs: number;
}

export function storeCounts(file: string): ResumeResult["final"] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      count: one("SELECT COUNT(*) AS n FROM rollouts"),
      distinctKeys: one("SELECT COUNT(*) AS n FROM (SELECT DISTINCT group_id, idx FROM rollouts)"),
      groups: one("SELECT COUNT(*) AS n FROM groups"),
      completeGroups: one("SELECT COUNT(*) AS n FROM groups WHERE complete = 1"),
      withAdvantage: one("SELECT COUNT(*) AS n FROM rollouts WHERE advantage IS NOT NULL"),
      failed: one("SELECT COUNT(*) AS n FROM rollouts WHERE status = 'failed'"),
    };
  } finally {
    db.close();
  }
}

function storedNow(file: string): number {
  if (!existsSync(file)) return 0;
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM rollouts WHERE status <> 'failed'").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // the schema is not there yet
  }
}

function startCollector(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "datachef.js"), "rollouts", ...args, "--json"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

/**
 * Runs `datachef rollouts <args> --store <store>`, SIGKILLs it `kills` times once a random number
 * of new rollouts is stored (plus a random extra delay, so kills also land mid-write), then lets
 * the last run finish.
 */
export async function collectWithKills(opts: { args: string[]; store: string; expected: number; kills: number; seed?: number; log?: (s: string) => void }): Promise<ResumeResult> {
  const rand = mulberry32(opts.seed ?? 1);
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const kills: KillRecord[] = [];
  const args = [...opts.args, "--store", opts.store];
  for (let k = 0; k < opts.kills; k++) {
    const before = storedNow(opts.store);
    const remaining = opts.expected - before;
    // leave at least a quarter of the work for the following runs
    const target = before + 1 + Math.floor(rand() * Math.max(1, Math.floor(remaining / (opts.kills - k + 1))));
    const extraMs = Math.floor(rand() * 1500);
    const { child, done } = startCollector(args);
    let exited = false;
    void done.then(() => (exited = true));
    while (!exited && storedNow(opts.store) < target) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, extraMs));
    if (exited) {
      log(`run ${k + 1} finished before it could be killed`);
      continue;
    }
    const stored = storedNow(opts.store);
    child.kill("SIGKILL");
    await done;
    kills.push({ storedAtKill: stored, atMs: Date.now() - t0 });
    log(`kill ${k + 1}: SIGKILL with ${stored}/${opts.expected} rollouts stored`);
  }
  const t1 = Date.now();
  const { done } = startCollector(args);
  const last = await done;
  const final = storeCounts(opts.store);
  log(`final run exited ${last.code}; store holds ${final.count} rollouts (${final.distinctKeys} distinct), ${final.completeGroups}/${final.groups} groups complete`);
  return { kills, final, lastRun: { ...last, wallMs: Date.now() - t1 }, totalWallMs: Date.now() - t0 };
}

async function cli(): Promise<void> {
  const argv = process.argv.slice(2);
  const split = argv.indexOf("--");
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const extra = split >= 0 ? argv.slice(split + 1) : [];
  const opt = (name: string, dflt: string) => {
    const i = own.indexOf(name);
    return i >= 0 ? own[i + 1]! : dflt;
  };
  const tasks = opt("--tasks", SHARED_TASKS);
  const group = Number(opt("--group", "8"));
  const kills = Number(opt("--kills", "3"));
  const seed = Number(opt("--seed", "1"));
  const store = opt("--store", path.join(mkdtempSync(path.join(os.tmpdir(), "datachef-resume-")), "rollouts.sqlite"));
  const expected = Number(opt("--expected", "64"));
  const r = await collectWithKills({ args: [tasks, "--group", String(group), "--seed", String(seed), ...extra], store, expected, kills, seed, log: (s) => console.error(s) });
  const summary = JSON.parse(r.lastRun.stdout || "{}");
  console.log(`store ${store}`);
  console.log(`kills: ${r.kills.map((k) => `${k.storedAtKill} stored`).join(", ")}`);
  console.log(JSON.stringify(r.final));
  for (const g of summary.groups ?? []) console.log(`${g.groupId.padEnd(24)} n=${g.scored}/${g.size} mean=${g.stats?.mean.toFixed(3)} std=${g.stats?.std.toFixed(3)} ${g.flags.join(",")}`);
  console.log(`total wall ${(r.totalWallMs / 1000).toFixed(1)}s`);
  if (r.final.count !== expected || r.final.distinctKeys !== expected || r.final.withAdvantage !== expected || r.lastRun.code !== 0) {
    console.error(`FAILED: expected exactly ${expected} scored rollouts with advantages`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
