/**
 * Trains the built-in policy with GRPO on the shared tasks minus two held out, then compares
 * trained and untrained params on the held-out tasks: 8 seeds each, the same rollout seeds for
 * both (paired), mean verifier reward. Writes evals/out/train-builtin.json.
 * Training steps replay the same rollout seeds (common random numbers) unless --fresh-seeds, so
 * each step is also compared with step 1, rollout by rollout (paired difference ± SE).
 * Each training task also gets --augment seeded source subsets (harder instances, where choices matter).
 * Run: npx tsx evals/train-builtin.ts [--held-out fpb,humaneval] [--steps 5] [--group 8] [--augment 3] [--seeds 8] [--lr 1] [--kl 0.02] [--samples 300] [--advantage batch|group] [--fresh-seeds]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadTaskSpec } from "../src/task/spec.js";
import { defaultParams, savePolicyParams } from "../src/rl/policy-params.js";
import { collectBatch, pairedDiff, trainBuiltin, type StepRecord, type TrainAdvantage } from "../src/rl/train.js";
import { closeStores } from "../src/rl/collect.js";
import { curveTable } from "../src/cli/train.js";
import { REPO_ROOT } from "../src/recipe/paths.js";
import { specFiles } from "./cook-shared.js";
import { SHARED_TASKS } from "./shared.js";

export interface HeldOutRow {
  task: string;
  untrained: number[];
  trained: number[];
}

export function pairedSummary(rows: HeldOutRow[]) {
  const keyed = (pick: (r: HeldOutRow) => number[]) => Object.fromEntries(rows.flatMap((r) => pick(r).map((x, i) => [`${r.task}#${i}`, x])));
  const { mean: d, se } = pairedDiff(keyed((r) => r.untrained), keyed((r) => r.trained));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return {
    untrained: mean(rows.flatMap((r) => r.untrained)),
    trained: mean(rows.flatMap((r) => r.trained)),
    meanDiff: d,
    se,
    withinNoise: Math.abs(d) < 2 * se,
  };
}

const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(4)}`;

/** Each step against step 1 and against the step before, paired by rollout (common seeds). */
export function stepComparisons(curve: StepRecord[]): string[] {
  return curve.map((s, i) => {
    if (i === 0) return `step ${s.step}: mean ${s.meanReward.toFixed(4)} (${s.rollouts} rollouts, learned from ${s.learnedFrom})`;
    const first = pairedDiff(curve[0]!.rewards, s.rewards);
    const prev = pairedDiff(curve[i - 1]!.rewards, s.rewards);
    return `step ${s.step}: mean ${s.meanReward.toFixed(4)}; vs step 1 ${signed(first.mean)} ± ${first.se.toFixed(4)} (n ${first.n}); vs step ${s.step - 1} ${signed(prev.mean)} ± ${prev.se.toFixed(4)}`;
  });
}

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : dflt;
  };
  const dir = opt("--tasks", SHARED_TASKS);
  const heldIds = opt("--held-out", "fpb,humaneval").split(",");
  const steps = Number(opt("--steps", "5"));
  const group = Number(opt("--group", "8"));
  const seeds = Number(opt("--seeds", "8"));
  // more graded samples = less verifier noise in each reward (the rule judge is cheap)
  const samples = Number(opt("--samples", "300"));
  const augment = Number(opt("--augment", "3"));
  const lr = Number(opt("--lr", "1"));
  const advantage = opt("--advantage", "batch") as TrainAdvantage;
  const outDir = path.resolve(REPO_ROOT, opt("--out", "evals/out"));
  mkdirSync(outDir, { recursive: true });
  const files = specFiles(dir);
  const idOf = (f: string) => loadTaskSpec(f).spec.id;
  const heldOut = files.filter((f) => heldIds.includes(idOf(f)));
  const train = files.filter((f) => !heldIds.includes(idOf(f)));
  if (heldOut.length !== heldIds.length) throw new Error(`held-out tasks ${heldIds.join(", ")} not all found in ${dir}`);
  console.error(`training on ${train.map(idOf).join(", ")}; held out: ${heldOut.map(idOf).join(", ")}`);
  const policyOut = path.join(outDir, "policy-trained.json");
  const t0 = Date.now();
  const { steps: curve } = await trainBuiltin({
    tasks: train,
    steps,
    group,
    out: policyOut,
    augment,
    grpo: { lr, kl: Number(opt("--kl", "0.02")), clip: 0.2, epochs: 2, advantage },
    seed: Number(opt("--seed", "11")),
    workDir: path.join(outDir, "train-steps"),
    commonSeeds: !args.includes("--fresh-seeds"),
    samples,
    onStep: (s: StepRecord) => console.error(`step ${s.step}: mean reward ${s.meanReward.toFixed(4)} (${s.rollouts} rollouts, ${(s.wallMs / 1000).toFixed(0)}s)`),
  });
  const trainMs = Date.now() - t0;
  const untrainedFile = path.join(outDir, "policy-untrained.json");
  savePolicyParams(untrainedFile, defaultParams());
  const evalSeed = Number(opt("--eval-seed", "2026"));
  // same collection name and seed for both policies: identical rollout seeds, a paired comparison
  const evalOf = async (file: string) => {
    const b = await collectBatch({ tasks: heldOut, paramsFile: file, group: seeds, seed: evalSeed, collection: "heldout", samples });
    return Object.fromEntries(heldOut.map((f) => [idOf(f), b.rollouts.filter((r) => r.taskId === idOf(f)).sort((a, c) => a.index - c.index).map((r) => r.reward ?? -1)]));
  };
  const before = await evalOf(untrainedFile);
  const after = await evalOf(policyOut);
  const rows: HeldOutRow[] = heldOut.map((f) => ({ task: idOf(f), untrained: before[idOf(f)]!, trained: after[idOf(f)]! }));
  const summary = pairedSummary(rows);
  const result = { samples, lr, augment, advantage, curve: curve.map((s) => ({ step: s.step, mean_reward: s.meanReward })), trainTasks: train.map(idOf), heldOut: heldOut.map(idOf), steps, group, seeds, trainMs, stepRecords: curve, heldOutRows: rows, summary, totalMs: Date.now() - t0 };
  writeFileSync(path.join(outDir, "train-builtin.json"), JSON.stringify(result, null, 2) + "\n");
  console.log(curveTable(curve));
  for (const line of stepComparisons(curve)) console.log(line);
  for (const r of rows) {
    const m = (xs: number[]) => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(4);
    console.log(`${r.task}: untrained ${m(r.untrained)} [${r.untrained.map((x) => x.toFixed(2)).join(" ")}]  trained ${m(r.trained)} [${r.trained.map((x) => x.toFixed(2)).join(" ")}]`);
  }
  console.log(`held-out mean reward: untrained ${summary.untrained.toFixed(4)}, trained ${summary.trained.toFixed(4)}; paired difference ${signed(summary.meanDiff)} ± ${summary.se.toFixed(4)} (SE)${summary.withinNoise ? " — within noise (|diff| < 2 SE)" : ""}`);
  await closeStores();
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
