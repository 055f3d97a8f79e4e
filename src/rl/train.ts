/**
 * GRPO for the built-in policy: collect G rollouts per training task with the current
 * parameters, turn rewards into group-normalised advantages, and take policy-gradient steps on
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
}

export const DEFAULT_GRPO: GrpoConfig = { lr: 0.2, clip: 0.2, kl: 0.02, epochs: 2, maxGradNorm: 1 };

export interface UpdateStats {
  decisions: number;
  rollouts: number;
  clipped: number;
  gradNorm: number;
  /** Mean k3 KL estimate to the reference over the decisions (after the update). */
  klToRef: number;
}

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
  okRate: number;
  groups: number;
  zeroVarianceGroups: number;
  update: UpdateStats;
  wallMs: number;
  paramsFile: string;
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
export async function collectBatch(opts: { tasks: string[]; paramsFile: string; group: number; seed: number; collection: string; samples?: number; maxRecords?: number; concurrency?: number; store?: string; commonSeeds?: boolean; onRollout?: TrainOptions["onRollout"] }): Promise<CollectedBatch> {
  const context = {
    policy: opts.paramsFile,
    temperature: 1,
    group: opts.group,
    seed: opts.seed,
    collection: opts.collection,
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

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

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
    const batch = await collectBatch({ tasks: opts.tasks, paramsFile, group: opts.group, seed: opts.commonSeeds ? seed : seed * 1000 + step, commonSeeds: opts.commonSeeds, collection: `train-s${seed}-step${step}`, samples: opts.samples, maxRecords: opts.maxRecords, concurrency: opts.concurrency, store: opts.store, onRollout: opts.onRollout });
    const scored = batch.rollouts.filter((r) => r.reward !== null);
    const usable = scored.filter((r) => r.advantage !== null && r.trajectory.decisions?.length).map((r) => ({ decisions: r.trajectory.decisions!, advantage: r.advantage! }));
    const upd = grpoUpdate(usable, params, ref, cfg);
    params = { ...upd.params, meta: { note: `GRPO on ${opts.tasks.length} task file(s), G=${opts.group}`, steps: (ref.meta?.steps ?? 0) + step, updatedAt: new Date().toISOString() } };
    const rec: StepRecord = {
      step,
      rollouts: batch.rollouts.length,
      meanReward: mean(scored.map((r) => r.reward!)),
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
