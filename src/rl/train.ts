/**
 * GRPO for the built-in policy: collect G rollouts per training task instance with the current
 * parameters, turn rewards into group-centred advantages (`batchAdvantages`), and take policy-gradient steps on
 * the planner's recorded decisions (PPO-style clipped ratio, optional KL to the initial params).
 *
 * Objective per decision d of a rollout with advantage A (summed over decisions, averaged over
 * rollouts):   min(ρ A, clip(ρ, 1−ε, 1+ε) A) − β·k3,   ρ = π_θ(d) / π_old(d),
 * k3 = exp(r) − r − 1 with r = log π_ref(d) − log π_θ(d) (Schulman's low-variance KL estimate).
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { decisionLogProb, decisionLogProbGrad, type PlannerDecision } from "../../agents/planner/decisions.js";
import { rolloutGraph } from "../../graphs/rollout.js";
import { rolloutContext, type GroupSummary } from "../../graphs/rollout-state.js";
import { applyParamUpdate, defaultParams, savePolicyParams, type PolicyParams } from "./policy-params.js";
import type { RolloutRecord } from "./types.js";

export interface GrpoConfig {
  lr: number;
  /** ε of the clipped ratio. */
  clip: number;
  /** β of the KL penalty to the reference (initial) params; 0 = off. */
  kl: number;
  /** Gradient steps per collected batch (ratios move off 1 after the first). */
  epochs: number;
  /** Global gradient-norm cap. */
  maxGradNorm: number;
  /** Also train the std parameters of Gaussian heads (off: exploration noise stays as set). */
  trainStd?: boolean;
  /** How rewards become advantages (`batchAdvantages`); "group" = the stored GRPO advantages. */
  advantage?: TrainAdvantage;
}

export const DEFAULT_GRPO: GrpoConfig = { lr: 1, clip: 0.2, kl: 0.02, epochs: 2, maxGradNorm: 1, advantage: "batch" };

export type TrainAdvantage = "batch" | "group";

export interface ScoredRollout {
  groupId: string;
  reward: number;
  /** The stored per-group GRPO advantage (null while the group is incomplete). */
  advantage: number | null;
  decisions: PlannerDecision[];
}

/**
 * The rollouts an update learns from, with their advantages. Only complete groups with some
 * spread count: a zero-variance group teaches nothing and would only dilute the batch mean.
 * - "group": the per-group GRPO advantage (R − mean) / std. A group whose spread is only the
 *   verifier's sampling noise (a saturated task: std 0.0007) then weighs as much as one where the
 *   decisions matter.
 * - "batch" (default): R − group mean, divided by the batch's pooled within-group std, so a group
 *   pushes in proportion to how much its rewards really differ, and the scale stays comparable
 *   across steps.
 */
export function batchAdvantages(rollouts: ScoredRollout[], method: TrainAdvantage = "batch", eps = 1e-6): { decisions: PlannerDecision[]; advantage: number }[] {
  const groups = new Map<string, ScoredRollout[]>();
  for (const r of rollouts) groups.set(r.groupId, [...(groups.get(r.groupId) ?? []), r]);
  const used: { r: ScoredRollout; centred: number }[] = [];
  for (const g of groups.values()) {
    if (g.some((r) => r.advantage === null) || g.length < 2) continue;
    const m = mean(g.map((r) => r.reward));
    if (g.every((r) => Math.abs(r.reward - m) <= 1e-12)) continue;
    for (const r of g) used.push({ r, centred: r.reward - m });
  }
  const pooled = Math.sqrt(mean(used.map((u) => u.centred ** 2)));
  return used
    .filter((u) => u.r.decisions.length)
    .map((u) => ({ decisions: u.r.decisions, advantage: method === "group" ? u.r.advantage! : u.centred / (pooled + eps) }));
}

export interface UpdateStats {
  decisions: number;
  rollouts: number;
  clipped: number;
  gradNorm: number;
  /** Mean k3 KL estimate to the reference over the decisions (after the update). */
  klToRef: number;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function addScaled(into: Record<string, number>, g: Record<string, number>, s: number): void {
  if (s === 0) return;
  for (const [k, v] of Object.entries(g)) into[k] = (into[k] ?? 0) + s * v;
}

/** Ratio cap for negative advantages (dual-clip PPO), so one unlucky decision cannot blow up a step. */
export const DUAL_CLIP = 3;

/**
 * Gaussian heads: the mean's gradient is scaled by σ² (the inverse Fisher information of a
 * Gaussian mean), so a threshold with a small spread (near_threshold, σ 0.04) moves in its own
 * units instead of dominating the step; std parameters are only trained when asked, because
 * a collapsing std ends exploration.
 */
function preconditioned(d: PlannerDecision, g: Record<string, number>, trainStd = false): Record<string, number> {
  if (d.dist !== "gaussian") return g;
  const std = d.std > 0 ? d.std : 1;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(g)) {
    if (k === d.stdParam) {
      if (trainStd) out[k] = v * std * std;
    } else out[k] = v * std * std;
  }
  return out;
}

function finiteOnly(g: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(g).filter(([, v]) => Number.isFinite(v)));
}

const norm = (g: Record<string, number>) => Math.sqrt(Object.values(g).reduce((a, v) => a + v * v, 0));

/** The objective's gradient at `params` for a batch of rollouts with advantages (pure). */
export function grpoGradient(batch: { decisions: PlannerDecision[]; advantage: number }[], params: PolicyParams, ref: PolicyParams, cfg: Pick<GrpoConfig, "clip" | "kl" | "trainStd">): { grad: Record<string, number>; decisions: number; clipped: number } {
  const grad: Record<string, number> = {};
  let decisions = 0;
  let clipped = 0;
  const used = batch.filter((b) => b.decisions.length);
  for (const { decisions: ds, advantage: A } of used) {
    for (const d of ds) {
      if (d.greedy || d.temperature <= 0) continue;
      const logp = decisionLogProb(d, params);
      if (!Number.isFinite(logp) || !Number.isFinite(d.logProb)) continue;
      decisions++;
      const ratio = Math.exp(Math.max(-20, Math.min(20, logp - d.logProb)));
      const g = preconditioned(d, finiteOnly(decisionLogProbGrad(d, params)), cfg.trainStd);
      // PPO clip, plus dual clip: a negative advantage never pushes with a ratio above DUAL_CLIP
      const outside = (A > 0 && ratio > 1 + cfg.clip) || (A < 0 && (ratio < 1 - cfg.clip || ratio > DUAL_CLIP));
      if (outside) clipped++;
      else addScaled(grad, g, (A * ratio) / used.length);
      if (cfg.kl > 0) {
        const r = Math.max(-20, Math.min(20, decisionLogProb(d, ref) - logp));
        // (same preconditioned direction as the policy term)
        addScaled(grad, g, (-cfg.kl * (1 - Math.exp(r))) / used.length);
      }
    }
  }
  return { grad, decisions, clipped };
}

/** `epochs` clipped gradient-ascent steps on one batch; returns the new params. */
export function grpoUpdate(batch: { decisions: PlannerDecision[]; advantage: number }[], params: PolicyParams, ref: PolicyParams, cfg: GrpoConfig): { params: PolicyParams; stats: UpdateStats } {
  let cur = params;
  let last = { decisions: 0, clipped: 0, gradNorm: 0 };
  for (let e = 0; e < cfg.epochs; e++) {
    const { grad, decisions, clipped } = grpoGradient(batch, cur, ref, cfg);
    const n = norm(grad);
    const scale = n > cfg.maxGradNorm ? cfg.maxGradNorm / n : 1;
    if (n > 0) cur = applyParamUpdate(cur, grad, cfg.lr * scale);
    last = { decisions, clipped, gradNorm: n };
  }
  let kl = 0;
  let count = 0;
  for (const b of batch)
    for (const d of b.decisions) {
      if (d.greedy || d.temperature <= 0) continue;
      const r = decisionLogProb(d, ref) - decisionLogProb(d, cur);
      if (!Number.isFinite(r)) continue;
      kl += Math.exp(Math.min(20, r)) - r - 1;
      count++;
    }
  return { params: cur, stats: { ...last, rollouts: batch.length, klToRef: count ? kl / count : 0 } };
}

export interface StepRecord {
  step: number;
  rollouts: number;
  meanReward: number;
  /** Reward per rollout, keyed `<instance>#<index>`: with common seeds, steps pair up by key. */
  rewards: Record<string, number>;
  /** Rollouts the update learned from (complete groups with spread). */
  learnedFrom: number;
  okRate: number;
  groups: number;
  zeroVarianceGroups: number;
  update: UpdateStats;
  wallMs: number;
  paramsFile: string;
}

/** Mean and standard error of b − a over the keys both hold (a paired comparison). */
export function pairedDiff(a: Record<string, number>, b: Record<string, number>): { n: number; mean: number; se: number } {
  const diffs = Object.keys(a)
    .filter((k) => k in b)
    .map((k) => b[k]! - a[k]!);
  const m = mean(diffs);
  const sd = Math.sqrt(diffs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, diffs.length - 1));
  return { n: diffs.length, mean: m, se: sd / Math.sqrt(Math.max(1, diffs.length)) };
}

export interface TrainOptions {
  /** Task spec files (or folders). */
  tasks: string[];
  steps: number;
  group: number;
  out: string;
  grpo?: Partial<GrpoConfig>;
  init?: PolicyParams;
  seed?: number;
  /** Extra instances per task per step: seeded source subsets (the paper's augmentation). */
  augment?: number;
  samples?: number;
  maxRecords?: number;
  concurrency?: number;
  /** Keep every collected rollout here (collections train-s<seed>-step<k>). */
  store?: string;
  /**
   * Common random numbers: every step replays the same rollout seeds (and verifier samples), so
   * step-to-step changes of the mean reward come from the params, not from new draws.
   */
  commonSeeds?: boolean;
  /** Where per-step params files go (default: beside --out). */
  workDir?: string;
  onStep?: (s: StepRecord) => void;
  onRollout?: (r: { groupId: string; index: number; reward: number | null }) => void;
}

export interface CollectedBatch {
  rollouts: RolloutRecord[];
  groups: GroupSummary[];
}

/** One on-policy collection with the params in `paramsFile`. */
export async function collectBatch(opts: { tasks: string[]; paramsFile: string; group: number; seed: number; collection: string; augment?: number; samples?: number; maxRecords?: number; concurrency?: number; store?: string; commonSeeds?: boolean; onRollout?: TrainOptions["onRollout"] }): Promise<CollectedBatch> {
  const context = {
    policy: opts.paramsFile,
    temperature: 1,
    group: opts.group,
    seed: opts.seed,
    collection: opts.collection,
    augment: opts.augment ?? 0,
    store: opts.store ?? "",
    samples: opts.samples ?? 100,
    concurrency: opts.concurrency ?? 2,
    maxRecordsOverride: opts.maxRecords ?? null,
    seedScope: opts.commonSeeds ? ("instance" as const) : ("group" as const),
  };
  const stream = await rolloutGraph.stream({ tasks: opts.tasks }, { context: rolloutContext(context), streamMode: ["custom", "values"], recursionLimit: 20 });
  let last: { rollouts?: RolloutRecord[]; groups?: GroupSummary[] } = {};
  for await (const [mode, chunk] of stream as AsyncIterable<[string, any]>) {
    if (mode === "custom" && chunk?.type === "rollout") opts.onRollout?.(chunk);
    else if (mode === "values") last = chunk;
  }
  return { rollouts: last.rollouts ?? [], groups: last.groups ?? [] };
}

export async function trainBuiltin(opts: TrainOptions): Promise<{ params: PolicyParams; steps: StepRecord[] }> {
  const cfg = { ...DEFAULT_GRPO, ...opts.grpo };
  const ref = opts.init ?? defaultParams();
  const seed = opts.seed ?? 0;
  const workDir = opts.workDir ?? path.join(path.dirname(path.resolve(opts.out)), `${path.basename(opts.out, ".json")}.steps`);
  mkdirSync(workDir, { recursive: true });
  let params = ref;
  const steps: StepRecord[] = [];
  for (let step = 1; step <= opts.steps; step++) {
    const t0 = Date.now();
    const paramsFile = path.join(workDir, `params-step${step - 1}.json`);
    savePolicyParams(paramsFile, params);
    const batch = await collectBatch({ tasks: opts.tasks, paramsFile, group: opts.group, seed: opts.commonSeeds ? seed : seed * 1000 + step, commonSeeds: opts.commonSeeds, collection: `train-s${seed}-step${step}`, augment: opts.augment, samples: opts.samples, maxRecords: opts.maxRecords, concurrency: opts.concurrency, store: opts.store, onRollout: opts.onRollout });
    const scored = batch.rollouts.filter((r) => r.reward !== null);
    const usable = batchAdvantages(
      scored.map((r) => ({ groupId: r.groupId, reward: r.reward!, advantage: r.advantage, decisions: r.trajectory.decisions ?? [] })),
      cfg.advantage,
    );
    const upd = grpoUpdate(usable, params, ref, cfg);
    params = { ...upd.params, meta: { note: `GRPO on ${opts.tasks.length} task file(s), G=${opts.group}`, steps: (ref.meta?.steps ?? 0) + step, updatedAt: new Date().toISOString() } };
    const rec: StepRecord = {
      step,
      rollouts: batch.rollouts.length,
      meanReward: mean(scored.map((r) => r.reward!)),
      rewards: Object.fromEntries(scored.map((r) => [`${r.instanceId}#${r.index}`, r.reward!])),
      learnedFrom: usable.length,
      okRate: scored.length ? scored.filter((r) => r.status === "ok").length / scored.length : 0,
      groups: batch.groups.length,
      zeroVarianceGroups: batch.groups.filter((g) => g.flags.includes("zero_variance")).length,
      update: upd.stats,
      wallMs: Date.now() - t0,
      paramsFile,
    };
    steps.push(rec);
    opts.onStep?.(rec);
    savePolicyParams(opts.out, params);
  }
  savePolicyParams(opts.out, params);
  return { params, steps };
}
