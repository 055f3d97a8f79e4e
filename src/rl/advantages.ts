/**
 * Group statistics and advantages for GRPO-style training: pure functions.
 *
 * - GRPO: A_i = (R_i − mean) / (std + eps), std the sample standard deviation (n − 1), as TRL
 *   computes it per group.
 * - Dr.GRPO: A_i = R_i − mean (no std scaling, so easy and hard groups are not re-weighted).
 *
 * Degenerate groups get advantage 0 for every member and a flag, because trainers drop them:
 * - "singleton": one rollout, nothing to compare against (std undefined);
 * - "zero_variance": every reward equal (within 1e-12), so no rollout is better than another.
 */
export const ADVANTAGE_METHODS = ["grpo", "drgrpo"] as const;
export type AdvantageMethod = (typeof ADVANTAGE_METHODS)[number];

export type GroupFlag = "singleton" | "zero_variance";

export interface GroupStats {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a singleton. */
  std: number;
  min: number;
  max: number;
}

export interface GroupAdvantages {
  stats: GroupStats;
  advantages: number[];
  flags: GroupFlag[];
}

export const DEFAULT_EPS = 1e-6;
const ZERO_VARIANCE = 1e-12;

export function groupStats(rewards: readonly number[]): GroupStats {
  const n = rewards.length;
  if (n === 0) return { n: 0, mean: 0, std: 0, min: 0, max: 0 };
  for (const r of rewards) if (!Number.isFinite(r)) throw new RangeError(`reward ${r} is not a finite number`);
  const mean = rewards.reduce((a, b) => a + b, 0) / n;
  const ss = rewards.reduce((a, r) => a + (r - mean) ** 2, 0);
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  return { n, mean, std, min: Math.min(...rewards), max: Math.max(...rewards) };
}

export function groupAdvantages(rewards: readonly number[], method: AdvantageMethod = "grpo", eps = DEFAULT_EPS): GroupAdvantages {
  const stats = groupStats(rewards);
  const flags: GroupFlag[] = [];
  if (stats.n === 1) flags.push("singleton");
  else if (stats.n > 1 && stats.max - stats.min <= ZERO_VARIANCE) flags.push("zero_variance");
  if (flags.length || stats.n === 0) return { stats, advantages: rewards.map(() => 0), flags };
  const scale = method === "grpo" ? stats.std + eps : 1;
  return { stats, advantages: rewards.map((r) => (r - stats.mean) / scale), flags };
}
