/** LangSmith experiments against the loopback stand-in: dataset reuse, ids, runs and feedback. */
import { Client } from "langsmith";
import { logEvalToLangSmith, stableUuid } from "./langsmith.js";
import { summarizeOverall, summarizeTask } from "./summary.js";
import { startLangSmithExperimentServer, type LangSmithExperimentServer } from "./testing/langsmith-experiments.js";
import { row } from "./testing/fixtures.js";
import type { EvalResult } from "./types.js";

let ls: LangSmithExperimentServer;
beforeAll(async () => {
  ls = await startLangSmithExperimentServer();
});
afterAll(async () => {
  await ls.close();
});

function result(createdAt: string): EvalResult {
  const rows = ["a", "b"].flatMap((task) => [
    row({ task, seed: 1, score: 0.9 }),
    row({ task, seed: 2, status: "execution_error", score: 0, reward: -1, executed: false, firstAttemptOk: false, reason: "no repair found" }),
    row({ task, kind: "random-plan", variant: "random-plan", seed: 1, score: 0.5 }),
  ]);
  const tasks = ["a", "b"].map((task) => summarizeTask({ task, spec: `${task}.json`, answerKind: "label", prepareMs: 1, rows: rows.filter((r) => r.task === task), fits: [] }));
  return { version: 1, createdAt, policy: "builtin", seeds: [1, 2], samples: 10, maxAttempts: 3, concurrency: 1, wallMs: 1, resumed: 0, ran: 6, tasks, overall: summarizeOverall(tasks, rows), recipes: rows };
}

test("stable ids are UUIDs and depend on their text", () => {
  expect(stableUuid("x")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(stableUuid("x")).toBe(stableUuid("x"));
  expect(stableUuid("x")).not.toBe(stableUuid("y"));
});

test("an evaluation becomes experiments on one dataset of tasks, reused by the next evaluation", async () => {
  const client = new Client({ apiUrl: ls.url, apiKey: "test", autoBatchTracing: false });
  const first = await logEvalToLangSmith(result("2026-01-01T00:00:00.000Z"), { client });
  expect(first.runs).toBe(6);
  expect(first.experiments).toHaveLength(2);
  expect(ls.datasets.size).toBe(1);
  expect(ls.examples.size).toBe(2);
  const failed = [...ls.runs.values()].find((r) => (r.outputs as { status: string }).status === "execution_error")!;
  expect(failed.error).toBe("no repair found");
  const fb = ls.feedback.filter((f) => f.run_id === failed.id);
  expect(Object.fromEntries(fb.map((f) => [f.key, f.score]))).toEqual({ verifier_score: 0, executable: 0, executable_first_attempt: 0 });
  const second = await logEvalToLangSmith(result("2026-01-02T00:00:00.000Z"), { client });
  expect(second.dataset).toBe(first.dataset);
  expect(ls.datasets.size).toBe(1);
  expect(ls.sessions.size).toBe(4);
  expect(ls.runs.size).toBe(12);
});
