/**
 * What the rollout-store page shows, read from a rollout store (src/rl/store.ts): groups with
 * their rewards, and a training curve when the store holds training steps.
 *
 * A training curve comes from collections named after their step ("...step3", "step-12"), the
 * convention of training loops that collect one collection per GRPO step, or from an explicit
 * curve file (`[{step, mean_reward, eval_reward?}]`, or the trainer's step records with `meanReward`).
 */
import { existsSync, readFileSync } from "node:fs";
import { openRolloutStore } from "../rl/store.js";
import type { GroupRewards, TrainingPoint } from "./charts.js";

export interface StoreGroup extends GroupRewards {
  collection: string;
  policy: string;
  size: number;
  /** Rollouts that crashed (no reward). */
  failed: number;
  flags: string[];
  statuses: Record<string, number>;
}

export interface StoreReportData {
  location: string;
  collections: string[];
  rollouts: number;
  groups: StoreGroup[];
  training?: TrainingPoint[];
  /** Mean wall time of a rollout (ms). */
  meanWallMs?: number;
}

export class StoreReportError extends Error {
  override name = "StoreReportError";
}

const STEP_RE = /(?:^|[^a-z])step[-_ ]?(\d+)(?:$|[^\d])/i;

/** Training points from per-step collections; undefined unless at least two steps exist. */
export function curveFromCollections(groups: StoreGroup[]): TrainingPoint[] | undefined {
  const bySteps = new Map<number, number[]>();
  for (const g of groups) {
    const m = STEP_RE.exec(g.collection);
    if (!m) continue;
    const step = Number(m[1]);
    bySteps.set(step, [...(bySteps.get(step) ?? []), ...g.rewards]);
  }
  if (bySteps.size < 2) return undefined;
  return [...bySteps.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([step, rs]) => ({ step, mean_reward: Math.round((rs.reduce((a, b) => a + b, 0) / Math.max(1, rs.length)) * 1000) / 1000 }));
}

export function readCurveFile(file: string): TrainingPoint[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new StoreReportError(`${file}: cannot read a training curve (${(e as Error).message})`);
  }
  const obj = raw as { curve?: unknown; history?: unknown; steps?: unknown } | null;
  // a bare list, or the list under curve / history / steps (the trainer's step records)
  const list = Array.isArray(raw) ? raw : (obj?.curve ?? obj?.history ?? obj?.steps);
  if (!Array.isArray(list)) throw new StoreReportError(`${file}: expected a JSON list of {step, mean_reward}`);
  return list.map((p, i) => {
    const r = p as { step?: unknown; mean_reward?: unknown; meanReward?: unknown; reward?: unknown };
    const step = Number(r.step ?? i);
    const mean = Number(r.mean_reward ?? r.meanReward ?? r.reward);
    if (!Number.isFinite(step) || !Number.isFinite(mean)) throw new StoreReportError(`${file}: entry ${i}: expected numeric step and mean_reward`);
    const ev = (p as { eval_reward?: unknown }).eval_reward;
    return { step, mean_reward: mean, ...(typeof ev === "number" ? { eval_reward: ev } : {}) };
  });
}

export async function loadStoreReport(location: string, opts: { collection?: string; curve?: string } = {}): Promise<StoreReportData> {
  if (!existsSync(location)) throw new StoreReportError(`${location}: no such rollout store`);
  let store;
  try {
    store = openRolloutStore(location);
  } catch (e) {
    throw new StoreReportError(`${location}: not a readable rollout store (${(e as Error).message})`);
  }
  try {
    const groupsRaw = await store.listGroups(opts.collection);
    const rollouts = await store.listRollouts(opts.collection ? { collection: opts.collection } : {});
    const byGroup = new Map<string, typeof rollouts>();
    for (const r of rollouts) byGroup.set(r.groupId, [...(byGroup.get(r.groupId) ?? []), r]);
    const groups: StoreGroup[] = groupsRaw.map((g) => {
      const rs = byGroup.get(g.groupId) ?? [];
      const statuses: Record<string, number> = {};
      for (const r of rs) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      return {
        group: g.groupId,
        task: g.taskId,
        collection: g.collection,
        policy: g.policy,
        size: g.size,
        rewards: rs.filter((r) => r.reward !== null).map((r) => r.reward as number),
        failed: rs.filter((r) => r.reward === null).length,
        flags: g.flags,
        statuses,
      };
    });
    const walls = rollouts.map((r) => r.wallMs).filter((w) => w > 0);
    const training = opts.curve ? readCurveFile(opts.curve) : curveFromCollections(groups);
    return {
      location,
      collections: [...new Set(groups.map((g) => g.collection))],
      rollouts: rollouts.length,
      groups,
      ...(training ? { training } : {}),
      ...(walls.length ? { meanWallMs: Math.round(walls.reduce((a, b) => a + b, 0) / walls.length) } : {}),
    };
  } finally {
    await store.close();
  }
}
