import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { curveFromCollections, loadStoreReport, readCurveFile, StoreReportError, type StoreGroup } from "./store-data.js";
import { renderStoreReportHtml } from "./store-page.js";
import { attemptsChart, gradeChart, sourceMixChart, spreadChart, trainingCurveChart } from "./charts.js";
import { writeFakeStore } from "./testing.js";
import { reportCommand } from "../cli/report.js";
import { buildReport, writeReportFiles } from "../verify/report.js";

const group = (collection: string, rewards: number[]): StoreGroup => ({ group: `${collection}:t`, task: "t", collection, policy: "builtin", size: rewards.length, rewards, failed: 0, flags: [], statuses: { ok: rewards.length } });

function quiet<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  return fn().finally(() => (process.stdout.write = write));
}

describe("chart specs", () => {
  it("keep rubric order, cap long source lists, and flag zero-spread groups", () => {
    const g = gradeChart({ invalid: 1, format_error: 0, incorrect: 2, task_mismatch: 0, pass: 7 }) as any;
    expect(g.data.values.map((v: any) => v.key)).toEqual(["invalid", "format_error", "incorrect", "task_mismatch", "pass"]);
    expect(g.data.values[4].label).toBe("7 · 70%");
    const mix = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`s${i}`, 20 - i]));
    const m = sourceMixChart(mix, 15) as any;
    expect(m.data.values).toHaveLength(16);
    expect(m.data.values.at(-1)).toMatchObject({ source: "(other)", n: 5 + 4 + 3 + 2 + 1 });
    const s = spreadChart([{ group: "a", task: "t", rewards: [0.5, 0.5] }, { group: "b", task: "t", rewards: [0.2, 0.8] }, { group: "c", task: "t", rewards: [0.4] }]) as any;
    expect(s.data.values.map((v: any) => v.signal)).toEqual(["zero spread", "spread", "singleton"]);
    expect((attemptsChart([{ n: 1, ok: false, error: "missing_field: q", duration_ms: 1500 }]) as any).data.values[0]).toMatchObject({ attempt: "#1", seconds: 1.5, outcome: "failed", label: "missing_field" });
    expect((trainingCurveChart([{ step: 1, mean_reward: 0.2, eval_reward: 0.1 }]) as any).data.values).toHaveLength(2);
  });
});

describe("rollout store page", () => {
  it("reads a training curve from per-step collections, or from a file", () => {
    expect(curveFromCollections([group("train-step2", [0.5, 0.7]), group("train-step1", [0.2, 0.4]), group("s0", [1])])).toEqual([
      { step: 1, mean_reward: 0.3 },
      { step: 2, mean_reward: 0.6 },
    ]);
    expect(curveFromCollections([group("s0", [1]), group("s1", [0])])).toBeUndefined();
    const dir = mkdtempSync(path.join(os.tmpdir(), "dc-curve-"));
    try {
      writeFileSync(path.join(dir, "c.json"), JSON.stringify({ steps: [{ step: 0, meanReward: 0.1 }, { step: 1, reward: 0.2, eval_reward: 0.3 }] }));
      expect(readCurveFile(path.join(dir, "c.json"))).toEqual([{ step: 0, mean_reward: 0.1 }, { step: 1, mean_reward: 0.2, eval_reward: 0.3 }]);
      writeFileSync(path.join(dir, "bad.json"), JSON.stringify([{ step: "x" }]));
      expect(() => readCurveFile(path.join(dir, "bad.json"))).toThrow(StoreReportError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads a store and renders its charts and group table, escaping ids", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dc-store-"));
    try {
      const file = path.join(dir, "r.sqlite");
      await writeFakeStore(file, { steps: 2, groups: 2, g: 3 });
      const d = await loadStoreReport(file);
      expect(d).toMatchObject({ rollouts: 12, collections: ["train-step1", "train-step2"] });
      expect(d.groups).toHaveLength(4);
      expect(d.training?.map((p) => p.step)).toEqual([1, 2]);
      const html = renderStoreReportHtml({ ...d, groups: d.groups.map((g, i) => (i ? g : { ...g, task: `<b>"x"</b>` })) });
      for (const id of ["reward_per_group", "spread", "training_curve"]) expect(html).toContain(`data-chart="${id}"`);
      expect(html).not.toContain("<b>");
      expect(html).not.toMatch(/<script|<link|https?:\/\//);
      await expect(loadStoreReport(path.join(dir, "none.sqlite"))).rejects.toThrow(/no such rollout store/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("datachef report", () => {
  it("re-renders a run folder's report.html from report.json, and refuses what it cannot read", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "dc-rep-"));
    try {
      const run = path.join(dir, "run");
      writeReportFiles(run, buildReport({ task: "t", status: "execution_error", reason: "boom", attempts: [{ n: 1, ok: false, error: "timeout: slow" }] }));
      rmSync(path.join(run, "report.html"));
      expect(await quiet(() => reportCommand(run, {}))).toBe(0);
      const html = readFileSync(path.join(run, "report.html"), "utf8");
      expect(html).toContain('data-chart="attempts"');
      expect(html).toContain("EXECUTION ERROR");
      await expect(reportCommand(path.join(dir, "nope"), {})).rejects.toThrow(/no such rollout store, run folder or report\.json/);
      writeFileSync(path.join(dir, "x.json"), "{}");
      await expect(reportCommand(path.join(dir, "x.json"), {})).rejects.toThrow(/not a datachef report/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("group labels", () => {
  it("shorten ids, keeping them distinct", async () => {
    const { groupLabels } = await import("./charts.js");
    expect([...groupLabels(["s0:a", "s0:b"]).values()]).toEqual(["a", "b"]);
    expect([...groupLabels(["train-s0-step1:a", "train-s0-step2:a"]).values()]).toEqual(["step1 · a", "step2 · a"]);
    expect([...groupLabels(["x:a", "y:a"]).values()]).toEqual(["x · a", "y · a"]);
    expect([...groupLabels(["s0-step1:a", "s1-step1:a"]).values()]).toEqual(["s0-step1:a", "s1-step1:a"]);
  });
});
