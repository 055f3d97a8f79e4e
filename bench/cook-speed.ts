/**
 * Benchmark: wall time of `datachef cook` on a task (default ../shared/tasks/gsm8k.json), split
 * across load, plan, code, execute and verify; median of N runs. Baseline in the same run: a
 * plain python3 pass that parses and re-serialises every source record once (the floor any
 * recipe pays for its I/O). Target: under 60 s wall on this 2-core machine.
 * Run: npx tsx bench/cook-speed.ts [task.json] [--runs 3]
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cookTask } from "../src/cli/cook.js";
import { ProgressDisplay } from "../src/cli/progress.js";
import { loadTaskSpec } from "../src/task/spec.js";
import { REPO_ROOT } from "../src/recipe/paths.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function pythonFloorMs(files: string[]): number {
  const script = "import json,sys\nn=0\nfor f in sys.argv[1:]:\n  for line in open(f, encoding='utf-8', errors='replace'):\n    if line.strip():\n      json.dumps(json.loads(line)); n+=1\n";
  const t0 = process.hrtime.bigint();
  execFileSync("python3", ["-c", script, ...files]);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const spec = args.find((a) => a.endsWith(".json")) ?? path.resolve(REPO_ROOT, "..", "shared", "tasks", "gsm8k.json");
  const i = args.indexOf("--runs");
  const runs = i >= 0 ? Number(args[i + 1]) : 3;
  const root = mkdtempSync(path.join(os.tmpdir(), "datachef-bench-cook-"));
  const rows: { wall: number; t: Record<string, number> }[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = Date.now();
    const { report } = await cookTask(spec, { out: path.join(root, `run-${r}`), seed: r + 1, samples: 100, policy: "builtin", temperature: 1, sandbox: "auto", maxAttempts: 3, force: true }, new ProgressDisplay(process.stderr, true));
    if (report.status !== "ok") throw new Error(`run ${r}: status ${report.status}`);
    rows.push({ wall: Date.now() - t0, t: report.timings_ms });
  }
  const files = loadTaskSpec(spec).spec.sources.map((s) => s.path);
  const floors = Array.from({ length: 3 }, () => pythonFloorMs(files));
  const parts = ["load", "plan", "code", "execute", "verify"];
  const result = {
    task: spec,
    runs,
    wall_ms: rows.map((r) => r.wall),
    median_wall_ms: median(rows.map((r) => r.wall)),
    median_split_ms: Object.fromEntries(parts.map((p) => [p, median(rows.map((r) => r.t[p] ?? 0))])),
    python_floor_ms: median(floors),
    target_ms: 60_000,
  };
  const out = path.join(REPO_ROOT, "bench", "out");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "cook-speed.json"), JSON.stringify(result, null, 2));
  console.log(`cook ${path.basename(spec)}: median wall ${(result.median_wall_ms / 1000).toFixed(1)} s over ${runs} runs (target < 60 s: ${result.median_wall_ms < 60_000 ? "met" : "MISSED"})`);
  console.log(`split (median ms): ${parts.map((p) => `${p} ${result.median_split_ms[p]}`).join(", ")}`);
  console.log(`baseline: python parse+dump of all ${files.length} sources ${result.python_floor_ms.toFixed(0)} ms; execute / baseline = ${(result.median_split_ms.execute! / result.python_floor_ms).toFixed(2)}x`);
}

await main();
