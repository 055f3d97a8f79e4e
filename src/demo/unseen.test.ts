import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadTaskSpec } from "../task/spec.js";
import { benchmarkFingerprint, overlapStats, readRows, type Rec } from "./fixture-checks.js";
import { generateDemoPool, type DemoManifest } from "./generate.js";
import { checkArithmetic } from "./math.js";
import type { ManifestTask } from "./pool.js";
import { INTENTS } from "./unseen-intents.js";
import { VERDICTS } from "./unseen-verdicts.js";
import { generateUnseenTasks } from "./unseen.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHARED = path.resolve(REPO, "../shared");
const withShared = existsSync(path.join(SHARED, "datasets", "CATALOG.json")) ? test : test.skip;
if (!existsSync(SHARED)) console.warn(`unseen.test: ${SHARED} not found; skipping the comparison with the shared datasets`);

let tmp: string;
let root: string;
let specs: string[];
let tasks: ManifestTask[];
const cache = new Map<string, Rec[]>();
const rows = async (file: string) => {
  if (!cache.has(file)) cache.set(file, await readRows(path.join(root, file)));
  return cache.get(file)!;
};
const keySet = (r: Rec) => Object.keys(r).sort().join(",");
const task = (id: string) => tasks.find((t) => t.id === id)!;
const sourceFile = (id: string, source: string) => task(id).sources.find((s) => s.id === source)!.file;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "demo-unseen-"));
  root = path.join(tmp, "unseen");
  specs = await generateUnseenTasks(root);
  tasks = (JSON.parse(readFileSync(path.join(root, "manifest.json"), "utf8")) as { tasks: ManifestTask[] }).tasks;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("unseen-schema tasks", () => {
  test("at least three specs that load cleanly, with readable files of the stated sizes", async () => {
    expect(specs.length).toBeGreaterThanOrEqual(3);
    for (const s of specs) {
      const t = loadTaskSpec(s);
      expect(t.warnings).toEqual([]);
      expect(t.spec.sources.length).toBeGreaterThanOrEqual(3);
    }
    for (const t of tasks) {
      expect((await rows(t.benchmark.file)).length).toBe(t.benchmark.rows);
      for (const s of t.sources) expect({ id: s.id, rows: (await rows(s.file)).length }).toEqual({ id: s.id, rows: s.rows });
    }
  });

  test("are deterministic for a seed", async () => {
    const hash = (dir: string) => {
      const h = createHash("sha256");
      const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
      for (const f of walk(dir).sort()) h.update(path.relative(dir, f)).update(readFileSync(f));
      return h.digest("hex");
    };
    await generateUnseenTasks(path.join(tmp, "again"));
    expect(hash(path.join(tmp, "again"))).toBe(hash(root));
  });

  test("use every file format and nested values (structs, lists, JSON in CSV cells)", async () => {
    const formats = new Set(tasks.flatMap((t) => t.sources.map((s) => path.extname(s.file))));
    expect([...formats].sort()).toEqual([".csv", ".json", ".jsonl", ".parquet"]);
    const isJsonObject = (v: unknown) => {
      if (v && typeof v === "object") return true;
      try {
        return typeof v === "string" && v.startsWith("{") && typeof JSON.parse(v) === "object";
      } catch {
        return false;
      }
    };
    for (const t of tasks) {
      let nested = false;
      for (const s of t.sources) for (const v of Object.values((await rows(s.file))[0]!)) if (isJsonObject(v)) nested = true;
      expect({ task: t.id, nested }).toEqual({ task: t.id, nested: true });
    }
  });

  test("schemas appear neither in the demo pool nor in the task's other files", async () => {
    const demoDir = path.join(tmp, "demo");
    await generateDemoPool(demoDir, { scale: 0.05 });
    const demo = JSON.parse(readFileSync(path.join(demoDir, "manifest.json"), "utf8")) as DemoManifest;
    const demoKeys = new Set<string>();
    for (const t of demo.tasks) for (const f of [t.benchmark.file, ...t.sources.map((s) => s.file)]) demoKeys.add(keySet((await readRows(path.join(demoDir, f)))[0]!));
    const seen = new Set<string>();
    for (const t of tasks) {
      for (const f of [t.benchmark.file, ...t.sources.map((s) => s.file)]) {
        const k = keySet((await rows(f))[0]!);
        expect({ file: f, inDemo: demoKeys.has(k), repeated: seen.has(k) }).toEqual({ file: f, inDemo: false, repeated: false });
        seen.add(k);
      }
    }
  });

  withShared("schemas appear nowhere in ../shared/datasets", async () => {
    const catalog = JSON.parse(readFileSync(path.join(SHARED, "datasets", "CATALOG.json"), "utf8")) as { fields: string[] }[] | { datasets: { fields: string[] }[] };
    const entries = Array.isArray(catalog) ? catalog : catalog.datasets;
    const shared = new Set(entries.map((e) => [...e.fields].sort().join(",")));
    expect(shared.size).toBeGreaterThan(10);
    for (const t of tasks) {
      for (const f of [t.benchmark.file, ...t.sources.map((s) => s.file)]) {
        const keys = Object.keys((await rows(f))[0]!);
        expect({ file: f, shared: shared.has([...keys].sort().join(",")) }).toEqual({ file: f, shared: false });
      }
    }
  });

  test("verdicts: closed label set, grounded in the results passage", async () => {
    const bench = await rows(task("unseen_trial_verdicts").benchmark.file);
    expect(new Set(bench.map((b) => b.verdict))).toEqual(new Set(VERDICTS));
    for (const b of bench) {
      const text = (b.evidence as { lines: string[] }[]).flatMap((p) => p.lines).join(" ");
      const cue = b.verdict === "yes" ? /statistically significant/ : b.verdict === "no" ? /no measurable difference|wrong direction/ : /effect faded/;
      expect({ verdict: b.verdict, grounded: cue.test(text) }).toEqual({ verdict: b.verdict, grounded: true });
    }
    const registry = await rows(sourceFile("unseen_trial_verdicts", "trial_registry"));
    const passages = registry[0]!.passages as { title: string; sentences: string[] }[];
    expect(typeof passages[0]!.title).toBe("string");
    expect(Array.isArray(passages[0]!.sentences)).toBe(true);
  });

  test("ratios: boxed answers match correct worked steps; the leak is real, the clean sources are not", async () => {
    const id = "unseen_ratio_boxed";
    for (const b of await rows(task(id).benchmark.file)) {
      const ans = String(b.worked_answer);
      const check = checkArithmetic(ans);
      expect(check.wrong).toBe(0);
      expect(check.checked).toBeGreaterThanOrEqual(1);
      const boxed = /\\boxed\{(-?[\d.]+)\}/.exec(ans)!;
      const last = [...ans.matchAll(/=\s*(-?\d+(?:\.\d+)?)/g)].at(-1)!;
      expect(Number(boxed[1])).toBe(Number(last[1]));
    }
    for (const r of await rows(sourceFile(id, "converter_logs"))) {
      const out = r.output as { steps: string[]; value: number };
      expect(checkArithmetic(out.steps.join("\n")).wrong).toBe(0);
      expect(out.value).toBe(Number([...out.steps.join(" ").matchAll(/=\s*(-?\d+(?:\.\d+)?)/g)].at(-1)![1]));
    }
    const fp = benchmarkFingerprint(await rows(task(id).benchmark.file));
    for (const s of task(id).sources) {
      const stats = overlapStats(await rows(s.file), fp);
      if (s.role === "leaks the benchmark") expect({ id: s.id, leaks: stats.sharing >= 0.5 && stats.contaminated >= 0.5 }).toEqual({ id: s.id, leaks: true });
      else expect({ id: s.id, clean: stats.contaminated < 0.02 }).toEqual({ id: s.id, clean: true });
    }
  });

  test("intents: every label is in the set; other sources' label spellings map onto it", async () => {
    const id = "unseen_home_intents";
    const bench = await rows(task(id).benchmark.file);
    expect(new Set(bench.map((b) => b.intent))).toEqual(new Set(INTENTS));
    const snake = (s: string) => s.toLowerCase().replace(/\s+/g, "_");
    for (const r of await rows(sourceFile(id, "voice_logs"))) expect(INTENTS).toContain(snake(String(r["Intent Label"])));
    for (const r of await rows(sourceFile(id, "dialog_turns"))) expect(INTENTS).toContain((r.annotation as { intent: string }).intent);
    for (const r of await rows(sourceFile(id, "command_table"))) expect(INTENTS).toContain((r.labels as string[])[0]);
    // Clean sources never repeat a benchmark utterance.
    const benchText = new Set(bench.map((b) => String(b.utterance).toLowerCase()));
    for (const r of await rows(sourceFile(id, "voice_logs"))) expect(benchText.has(String(r.Utterance).toLowerCase())).toBe(false);
  });
});
