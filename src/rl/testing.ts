/** Test helpers for the RL modules (only tests import this file). */
import type { RolloutRecord } from "./types.js";

/** A stored-rollout record with plausible values, for store and export tests. */
export function fakeRollout(over: Partial<RolloutRecord> = {}): RolloutRecord {
  return {
    groupId: "c:t1",
    index: 0,
    collection: "c",
    instanceId: "t1",
    taskId: "t1",
    policy: "builtin",
    seed: 1,
    temperature: 1,
    prompt: [{ role: "user", content: "cook" }],
    trajectory: { kind: "builtin", decisions: [], logProb: 0, attempts: [{ n: 1, ok: true }] },
    completion: "## Training Data\n```json\n[]\n```",
    reward: 0.5,
    rewardParts: { status: "ok" },
    status: "ok",
    advantage: null,
    timings: { execute: 10 },
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:00:01.000Z",
    wallMs: 1000,
    ...over,
  };
}
