import { summarizeOverall, summarizeTask, summarizeVariant } from "./summary.js";
import { row } from "./testing/fixtures.js";
import type { SourceFit } from "./variants.js";

test("DVS@N: failed recipes count 0; executability first and after repair", () => {
  const s = summarizeVariant([
    row({ seed: 1, score: 0.8 }),
    row({ seed: 2, score: 0.6, firstAttemptOk: false, attempts: 2 }),
    row({ seed: 3, status: "execution_error", reward: -1, score: 0, records: 0, firstAttemptOk: false, executed: false }),
    row({ seed: 4, score: 1, leaks: { strict: 3, substantial: 2, rate: 0.2 } }),
  ]);
  expect(s.dvs).toBeCloseTo(0.6);
  expect(s.execFirstAttempt).toBe(0.5);
  expect(s.execAfterRepair).toBe(0.75);
  expect(s.meanRecords).toBe(10);
  expect(s.contaminationRate).toBeCloseTo(2 / 30);
  expect(s.leakyRecipes).toBe(1);
  expect(s.statuses).toEqual({ ok: 3, execution_error: 1 });
  expect(s.grades.pass).toBe(36);
});

const fits: SourceFit[] = [
  { id: "a", rows: 10, ok: true },
  { id: "b", rows: 10, ok: true },
  { id: "x", rows: 10, ok: false, reason: "schema does not fit" },
];

test("task summary: baselines side by side, normalised DVS, strict wins", () => {
  const rows = [
    row({ seed: 1, score: 0.9 }),
    row({ seed: 2, score: 0.7 }),
    row({ kind: "single-source", variant: "single:a", source: "a", seed: 1, score: 0.5 }),
    row({ kind: "single-source", variant: "single:a", source: "a", seed: 2, score: 0.7 }),
    row({ kind: "single-source", variant: "single:b", source: "b", seed: 1, score: 0.2 }),
    row({ kind: "single-source", variant: "single:b", source: "b", seed: 2, score: 0.2 }),
    row({ kind: "all-sources", variant: "all-sources", seed: 1, score: 0.8 }),
    row({ kind: "all-sources", variant: "all-sources", seed: 2, score: 0.8 }),
    row({ kind: "random-plan", variant: "random-plan", seed: 1, score: 0.6 }),
    row({ kind: "random-plan", variant: "random-plan", seed: 2, score: 0.7 }),
  ];
  const t = summarizeTask({ task: "t", spec: "t.json", answerKind: "label", prepareMs: 5, rows, fits });
  expect(t.policy!.dvs).toBeCloseTo(0.8);
  expect(t.baselines.singleSource!.best).toEqual({ source: "a", dvs: 0.6 });
  expect(t.baselines.singleSource!.mean).toBeCloseTo(0.4);
  expect(t.baselines.singleSource!.skipped).toEqual([{ source: "x", reason: "schema does not fit" }]);
  expect(t.normalizedDvs).toBeCloseTo(133.3, 1);
  // a tie is not a win
  expect(t.beats).toEqual({ allSources: false, randomPlan: true });
  const o = summarizeOverall([t], rows);
  expect(o).toMatchObject({ tasks: 1, beatsAllSources: 0, beatsRandomPlan: 1, beatsBoth: 0, singleSourceBest: 0.6 });
  expect(o.policy!.dvs).toBeCloseTo(0.8);
});

test("without baselines there is no win count", () => {
  const rows = [row({ seed: 1 }), row({ seed: 2 })];
  const t = summarizeTask({ task: "t", spec: "t.json", answerKind: "label", prepareMs: 1, rows, fits: [] });
  const o = summarizeOverall([t], rows);
  expect(o.beatsAllSources).toBeUndefined();
  expect(o.beatsRandomPlan).toBeUndefined();
  expect(o.policy!.dvs).toBeCloseTo(0.8);
});
