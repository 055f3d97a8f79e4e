/**
 * The demo pool and the unseen-schema tasks through the product's own data layer: its readers,
 * its contract inference, its profiler and its contamination fingerprints. The fixtures are
 * only useful if the real pipeline sees in them what they were built to show.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { profileBenchmark, profileSource } from "../data/profile.js";
import { readRecords } from "../data/readers.js";
import { recordText } from "../data/text.js";
import type { AnswerFormat } from "../task/contract.js";
import { inferContract } from "../task/infer-contract.js";
import { loadTaskSpec } from "../task/spec.js";
import { buildFingerprints, contaminationOf } from "../verify/ngrams.js";
import { readRows } from "./fixture-checks.js";
import { generateDemoPool } from "./generate.js";
import type { ManifestTask } from "./pool.js";
import { generateUnseenTasks } from "./unseen.js";

/** The answer format each fixture task was written to have. */
const INTENDED: Record<string, AnswerFormat["kind"]> = {
  demo_math_word: "marker",
  demo_ticket_routing: "label",
  demo_science_mcq: "option_letter",
  unseen_trial_verdicts: "label",
  unseen_ratio_boxed: "boxed",
  unseen_home_intents: "label",
};

let tmp: string;
const all: { root: string; task: ManifestTask }[] = [];

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "demo-int-"));
  for (const [dir, make] of [["demo", () => generateDemoPool(path.join(tmp, "demo"))], ["unseen", () => generateUnseenTasks(path.join(tmp, "unseen"))]] as const) {
    await make();
    const root = path.join(tmp, dir);
    for (const task of (JSON.parse(readFileSync(path.join(root, "manifest.json"), "utf8")) as { tasks: ManifestTask[] }).tasks) all.push({ root, task });
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

test("the product readers read every file exactly as written", async () => {
  expect(all.length).toBe(6);
  for (const { root, task } of all) {
    for (const file of [task.benchmark.file, ...task.sources.map((s) => s.file)]) {
      const got: unknown[] = [];
      for await (const item of readRecords(path.join(root, file), { onMalformed: "fail" })) got.push(item.record);
      const want = await readRows(path.join(root, file));
      expect({ file, rows: got.length }).toEqual({ file, rows: want.length });
      expect({ file, same: isDeepStrictEqual(JSON.parse(JSON.stringify(got)), want) }).toEqual({ file, same: true });
    }
  }
});

test("contract inference finds the intended answer format from three examples and the task text", async () => {
  for (const { root, task } of all) {
    const spec = loadTaskSpec(path.join(root, task.spec)).spec;
    const bench = await readRows(path.join(root, task.benchmark.file));
    const contract = inferContract(bench.slice(0, 3), spec, { moreRecords: bench });
    expect({ task: task.id, kind: contract.answer.kind }).toEqual({ task: task.id, kind: INTENDED[task.id] });
    if (contract.answer.kind === "marker") expect(contract.answer.marker).toBe("####");
    if (task.id === "unseen_trial_verdicts") expect(contract.hasContext).toBe(true);
    if (task.id === "demo_science_mcq") expect(contract.hasOptions).toBe(true);
  }
});

test("the profiler sees the roles: off-domain is irrelevant, duplicate-heavy is duplicated", async () => {
  for (const { root, task } of all) {
    const spec = loadTaskSpec(path.join(root, task.spec)).spec;
    const bench = await profileBenchmark(spec.benchmark.path);
    const profiles = new Map<string, { relevance: number; duplicateRate: number; malformed: number }>();
    for (const s of spec.sources) profiles.set(s.id, await profileSource({ id: s.id, path: s.path }, { benchmarkTexts: bench.texts }));
    const inDomain = task.sources.filter((s) => s.role === "in-domain").map((s) => profiles.get(s.id)!);
    const minRelevance = Math.min(...inDomain.map((p) => p.relevance));
    for (const s of task.sources) {
      const p = profiles.get(s.id)!;
      expect({ id: s.id, malformed: p.malformed }).toEqual({ id: s.id, malformed: 0 });
      if (s.role === "off-domain") expect({ id: s.id, low: p.relevance < minRelevance / 2 }).toEqual({ id: s.id, low: true });
      if (s.role === "duplicate-heavy") expect({ id: s.id, dup: p.duplicateRate > 0.5 }).toEqual({ id: s.id, dup: true });
      if (s.role === "in-domain") expect({ id: s.id, dup: p.duplicateRate < 0.02 }).toEqual({ id: s.id, dup: true });
    }
  }
});

test("the contamination fingerprints flag the leaking sources and pass the clean ones", async () => {
  for (const { root, task } of all) {
    const fp = buildFingerprints(await readRows(path.join(root, task.benchmark.file)));
    for (const s of task.sources) {
      const rows = await readRows(path.join(root, s.file));
      const share = rows.filter((r) => contaminationOf(recordText(r), fp).contaminated).length / rows.length;
      if (s.role === "leaks the benchmark") expect({ id: s.id, flagged: share >= 0.5 }).toEqual({ id: s.id, flagged: true });
      else if (s.role === "in-domain") expect({ id: s.id, clean: share < 0.02 }).toEqual({ id: s.id, clean: true });
    }
  }
});
