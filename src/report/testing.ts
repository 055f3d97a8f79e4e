/** Test helper: a small rollout store with made-up rewards (groups per training step). */
import { openRolloutStore } from "../rl/store.js";
import type { RolloutRecord } from "../rl/types.js";

/** Writes `steps` collections ("train-step<k>") of `groups` groups of `g` rollouts each; rewards rise with the step. */
export async function writeFakeStore(file: string, opts: { steps?: number; groups?: number; g?: number } = {}): Promise<void> {
  const { steps = 3, groups = 2, g = 4 } = opts;
  const store = openRolloutStore(file);
  try {
    for (let step = 1; step <= steps; step++) {
      for (let k = 0; k < groups; k++) {
        const collection = `train-step${step}`;
        const groupId = `${collection}:task${k}`;
        await store.putGroup({ groupId, collection, instanceId: `task${k}`, taskId: `task${k}`, size: g, policy: "builtin", seed: step, method: "grpo", stats: null, flags: k === 1 && step === 1 ? ["zero_variance"] : [], complete: true });
        for (let i = 0; i < g; i++) {
          // group 1 of step 1 has no spread (every reward equal)
          const reward = k === 1 && step === 1 ? 0.5 : Math.round((0.3 + 0.1 * step + 0.05 * i - 0.04 * k) * 1000) / 1000;
          const rec: RolloutRecord = {
            groupId, index: i, collection, instanceId: `task${k}`, taskId: `task${k}`, policy: "builtin", seed: step * 100 + i, temperature: 1,
            prompt: [{ role: "user", content: "p" }], trajectory: { kind: "builtin", attempts: [{ n: 1, ok: true }] }, completion: "c",
            reward, rewardParts: {}, status: "ok", advantage: 0, timings: {}, startedAt: "2026-01-01T00:00:00Z", finishedAt: "2026-01-01T00:00:05Z", wallMs: 5000,
          };
          await store.putRollout(rec);
        }
      }
    }
  } finally {
    await store.close();
  }
}
