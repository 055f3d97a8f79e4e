import { renderEvalHtml } from "./html.js";
import { summarizeOverall, summarizeTask } from "./summary.js";
import { renderVerifierEvalHtml, type VerifierEvalResult } from "./verifier-eval.js";
import { evalTable, shortfalls } from "./table.js";
import { row } from "./testing/fixtures.js";
import type { EvalResult } from "./types.js";

function result(): EvalResult {
  const rows = ["fpb", "gsm8k"].flatMap((task) => [
    row({ task, seed: 1, score: 0.9, outDir: `/e/runs/${task}/policy/s1` }),
    row({ task, seed: 2, score: 0.7, outDir: `/e/runs/${task}/policy/s2` }),
    row({ task, kind: "single-source", variant: "single:a", source: "a", seed: 1, score: 0.6 }),
    row({ task, kind: "all-sources", variant: "all-sources", seed: 1, score: task === "fpb" ? 0.8 : 0.5 }),
    row({ task, kind: "random-plan", variant: "random-plan", seed: 1, score: 0.4 }),
    row({ task, kind: "random-plan", variant: "random-plan", seed: 2, status: "execution_error", score: 0, reward: -1 }),
  ]);
  const tasks = ["fpb", "gsm8k"].map((task) =>
    summarizeTask({ task, spec: `${task}.json`, answerKind: "label", prepareMs: 1, rows: rows.filter((r) => r.task === task), fits: [{ id: "a", rows: 10, ok: true }] }),
  );
  return { version: 1, createdAt: "2026-01-01T00:00:00.000Z", policy: "builtin", seeds: [1, 2], samples: 50, maxAttempts: 3, concurrency: 2, wallMs: 60000, resumed: 2, ran: 10, tasks, overall: summarizeOverall(tasks, rows), recipes: rows };
}

test("eval.html is one self-contained page with both charts and the per-task table", () => {
  const html = renderEvalHtml(result(), "/e");
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('data-chart="policy-vs-baselines"');
  expect(html).toContain('data-chart="reward-distribution"');
  expect(html).toContain('data-table="tasks"');
  expect(html).not.toMatch(/<script|https?:\/\//i);
  expect(html).toContain("runs/fpb/policy/s1/report.html");
});

test("the text table and the shortfalls say where the policy does not win", () => {
  const r = result();
  const t = evalTable(r);
  expect(t).toMatch(/^task\s+DVS@2/);
  expect(t).toMatch(/fpb\s+0\.800/);
  expect(shortfalls(r)).toEqual(["fpb: policy DVS 0.800 does not beat all-sources 0.800 (tie)"]);
});

test("verifier-eval.html renders ladders, blind spots and n/a ladders", () => {
  const r: VerifierEvalResult = {
    version: 1,
    createdAt: "x",
    judge: "builtin-rules",
    shares: [0, 0.5, 1],
    threshold: -0.8,
    samples: 50,
    tasks: [
      {
        task: "fpb",
        answerKind: "label",
        judge: "builtin-rules",
        base: { label: "a", path: "/x", records: 10, reward: 0.9 },
        ladders: [
          { ladder: "format", applicable: true, shares: [0, 0.5, 1], rewards: [0.9, 0.5, 0], changed: [0, 5, 10], rho: -1, flagged: false },
          { ladder: "duplicates", applicable: true, shares: [0, 0.5, 1], rewards: [0.9, 0.9, 0.9], changed: [0, 5, 9], rho: null, flagged: true, blindSpot: "copies of good records grade good" },
          { ladder: "off_domain", applicable: false, notApplicable: "needs another task", shares: [], rewards: [], changed: [], rho: null, flagged: false },
        ],
      },
    ],
    summary: { ladders: 2, seen: 1, flagged: 1, knownBlindSpots: 1, unexplained: [], notApplicable: 1 },
    wallMs: 1,
  };
  const html = renderVerifierEvalHtml(r);
  expect(html).toContain('data-chart="ladders"');
  expect(html).toContain("known blind spot: copies of good records grade good");
  expect(html).toContain("needs another task");
  expect(html).not.toMatch(/<script|https?:\/\//i);
});
