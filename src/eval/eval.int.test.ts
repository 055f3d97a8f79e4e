/**
 * `datachef eval` end to end on a generated demo task (no ../shared needed): a child process
 * is killed half-way, the re-run completes without redoing finished recipes; the re-run also
 * adds the downstream proxy and logs LangSmith experiments to a loopback server.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemoPool, demoTaskSpec } from "../demo/generate.js";
import { REPO_ROOT } from "../recipe/paths.js";
import { runEval } from "./eval.js";
import { rowKey } from "./journal.js";
import { startLangSmithExperimentServer, type LangSmithExperimentServer } from "./testing/langsmith-experiments.js";
import type { RecipeRow } from "./types.js";

const root = mkdtempSync(path.join(os.tmpdir(), "datachef-eval-int-"));
const out = path.join(root, "eval");
const journalFile = path.join(out, "journal.jsonl");
let spec = "";
let ls: LangSmithExperimentServer;

beforeAll(async () => {
  const demo = await generateDemoPool(path.join(root, "demo"));
  expect(demo.tasks.length).toBe(3);
  spec = demoTaskSpec(path.join(root, "demo"), "tickets");
  ls = await startLangSmithExperimentServer();
});

afterAll(async () => {
  await ls?.close();
});

function journalRows(): RecipeRow[] {
  if (!existsSync(journalFile)) return [];
  return readFileSync(journalFile, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as RecipeRow];
      } catch {
        return [];
      }
    });
}

function partials(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name.startsWith(".partial-")) found.push(path.join(d, e.name));
      else walk(path.join(d, e.name));
    }
  };
  if (existsSync(dir)) walk(dir);
  return found;
}

const args = ["--seeds", "3", "--concurrency", "1", "--samples", "20", "--baselines", "single,all,random"];

test("an evaluation killed half-way resumes without redoing finished recipes", async () => {
  // 1. the CLI in a child process, killed (SIGKILL, whole process group) after 3 finished recipes
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "datachef.js"), "eval", spec, ...args, "--out", out], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, LANGSMITH_API_KEY: "", LANGCHAIN_API_KEY: "" },
  });
  let stderr = "";
  child.stderr!.on("data", (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const deadline = Date.now() + 240_000;
  while (journalRows().length < 3 && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
  try {
    process.kill(-child.pid!, "SIGKILL");
  } catch {
    // already gone: the assertions below say why
  }
  await exited;
  const before = journalRows();
  if (before.length < 3) throw new Error(`the child eval finished no recipe in time:\n${stderr.slice(-2000)}`);
  // the child never got to write the summary
  expect(existsSync(path.join(out, "eval.json"))).toBe(false);
  const mtimes = new Map(before.map((r) => [rowKey(r), statSync(path.join(r.outDir, "report.json")).mtimeMs]));

  // 2. the re-run, in process, with LangSmith configured and the downstream proxy on
  const cooked: RecipeRow[] = [];
  const saved = { key: process.env.LANGSMITH_API_KEY, endpoint: process.env.LANGSMITH_ENDPOINT };
  process.env.LANGSMITH_API_KEY = "test-key";
  process.env.LANGSMITH_ENDPOINT = ls.url;
  let result;
  try {
    result = await runEval({
      specs: [spec],
      seeds: [1, 2, 3],
      out,
      policy: "builtin",
      concurrency: 2,
      samples: 20,
      downstream: true,
      onRecipe: (r) => cooked.push(r),
    });
  } finally {
    if (saved.key === undefined) delete process.env.LANGSMITH_API_KEY;
    else process.env.LANGSMITH_API_KEY = saved.key;
    if (saved.endpoint === undefined) delete process.env.LANGSMITH_ENDPOINT;
    else process.env.LANGSMITH_ENDPOINT = saved.endpoint;
  }

  // nothing finished before the kill was cooked again
  const done = new Set(before.map(rowKey));
  expect(cooked.filter((r) => done.has(rowKey(r)))).toEqual([]);
  expect(result.resumed).toBe(before.length);
  expect(result.ran).toBe(cooked.length);
  expect(result.recipes.length).toBe(before.length + cooked.length);
  for (const r of before) expect(statSync(path.join(r.outDir, "report.json")).mtimeMs).toBe(mtimes.get(rowKey(r)));
  // every (variant, seed) once, and the killed recipe's staging folder is gone
  expect(new Set(result.recipes.map(rowKey)).size).toBe(result.recipes.length);
  expect(partials(path.join(out, "runs"))).toEqual([]);
  expect(journalRows().length).toBe(result.recipes.length);

  // the summary: DVS@3 for the policy and every baseline
  const t = result.tasks[0]!;
  expect(t.policy!.n).toBe(3);
  expect(t.policy!.dvs).toBeGreaterThan(0.5);
  expect(t.policy!.execAfterRepair).toBe(1);
  expect(t.baselines.allSources!.n).toBe(3);
  expect(t.baselines.randomPlan!.n).toBe(3);
  expect(t.baselines.singleSource!.best).toBeDefined();
  expect(t.normalizedDvs).toBeGreaterThan(0);
  expect(existsSync(path.join(out, "eval.html"))).toBe(true);
  const json = JSON.parse(readFileSync(path.join(out, "eval.json"), "utf8"));
  expect(json.recipes).toHaveLength(result.recipes.length);

  // downstream proxy on this label task
  const d = t.downstream!;
  expect(d.kind).toBe("label");
  expect(d.datasets.length).toBeGreaterThanOrEqual(5);
  for (const x of d.datasets) {
    expect(x.accuracy).toBeGreaterThanOrEqual(0);
    expect(x.accuracy).toBeLessThanOrEqual(1);
  }
  expect(result.downstream).toEqual([{ task: t.task, pearson: d.pearson, spearman: d.spearman, datasets: d.datasets.length, recipesOnly: d.recipesOnly }]);

  // LangSmith: one example per task, one experiment per variant kind, one run per recipe, feedback on each
  expect(result.langsmith).toMatchObject({ runs: result.recipes.length });
  expect(ls.datasets.size).toBe(1);
  const dataset = [...ls.datasets.values()][0]!;
  expect([...ls.examples.values()].map((e) => (e.inputs as { task_id: string }).task_id)).toEqual([t.task]);
  expect(ls.sessions.size).toBe(4);
  for (const s of ls.sessions.values()) expect(s.reference_dataset_id).toBe(dataset.id);
  const runs = [...ls.runs.values()];
  expect(runs).toHaveLength(result.recipes.length);
  expect(runs.every((r) => r.reference_example_id === [...ls.examples.keys()][0])).toBe(true);
  const keys = ls.feedback.map((f) => f.key);
  expect(keys.filter((k) => k === "verifier_score")).toHaveLength(runs.length);
  expect(keys.filter((k) => k === "executable")).toHaveLength(runs.length);
  expect(ls.feedback.every((f) => typeof f.session_id === "string" && ls.sessions.has(f.session_id as string))).toBe(true);

  // 3. a third run finds everything done
  const again = await runEval({ specs: [spec], seeds: [1, 2, 3], out, policy: "builtin", concurrency: 2, samples: 20, langsmith: false });
  expect(again.ran).toBe(0);
  expect(again.resumed).toBe(result.recipes.length);
}, 600_000);

test("a resumed evaluation must use the same settings", async () => {
  await expect(runEval({ specs: [spec], seeds: [1], out, policy: "builtin", samples: 50, langsmith: false })).rejects.toThrow(/other settings \(samples: 20 there, 50 now\)/);
});
