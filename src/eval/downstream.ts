/**
 * `datachef eval --downstream`: for each label task, 8-12 training sets of varied quality, each
 * scored by the verifier and by the CPU proxy (src/eval/proxy/), and the correlation between the
 * two, as the paper validates its verifier against fine-tuning (Pearson r 0.59 on average).
 *
 * The training sets, in this order until 12:
 *   recipe outputs of the evaluation: every single-source baseline, all-sources, up to two
 *   distinct policy plans and two distinct random plans;
 *   then variants of the best single-source output: smaller (50, 200, 1000 records), noisier
 *   (20% and 50% wrong labels), off-domain (50% records of other tasks), broken (30% refusals
 *   or truncated answers).
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { RecipeContext } from "../../graphs/state.js";
import type { ChatRecord } from "../data/chat.js";
import { corrupt, type LadderKind } from "./corrupt.js";
import { formatBenchmark } from "./proxy/benchmark-format.js";
import { examplesOf, isOther, majorityAccuracy, proxyKindOf, proxyScore, readChat, type ProxyKind } from "./proxy/proxy.js";
import type { EvalTask } from "./run-recipe.js";
import { pearson, round, spearman } from "./stats.js";
import { recordScorer } from "./score-records.js";
import type { RecipeRow } from "./types.js";

export const PAPER_MEAN_PEARSON = 0.59;

export interface DownstreamDataset {
  name: string;
  description: string;
  /** "recipe" (an output of the evaluation) or "variant" (derived from the best single source). */
  origin: "recipe" | "variant";
  records: number;
  reward: number;
  accuracy: number;
  trained: number;
}

export interface DownstreamResult {
  kind: ProxyKind;
  datasets: DownstreamDataset[];
  pearson: number | null;
  spearman: number | null;
  /** The same over recipe outputs only (null when fewer than 3). */
  recipesOnly: { n: number; pearson: number | null; spearman: number | null };
  majorityAccuracy: number;
  benchmarkRecords: number;
  trainCap: number;
  notes: string[];
}

function sample<T>(xs: T[], n: number, seed: number): T[] {
  if (xs.length <= n) return xs;
  const step = xs.length / n;
  const off = seed % Math.max(1, Math.floor(step));
  return Array.from({ length: n }, (_, i) => xs[Math.min(xs.length - 1, Math.floor(i * step) + off)]!);
}

interface Candidate {
  name: string;
  description: string;
  origin: "recipe" | "variant";
  records: ChatRecord[];
  /** Known verifier score (recipes were verified by the evaluation). */
  reward?: number;
}

/** The recipe outputs of one task worth correlating: distinct data choices, ok runs only. */
export function recipeCandidates(rows: RecipeRow[]): { row: RecipeRow; name: string; description: string }[] {
  // lowest seed first, so the same journal always gives the same choice
  const ok = rows.filter((r) => r.status === "ok" && existsSync(path.join(r.outDir, "data.jsonl"))).sort((a, b) => a.seed - b.seed);
  const out: { row: RecipeRow; name: string; description: string }[] = [];
  const seen = new Set<string>();
  const add = (row: RecipeRow, name: string, description: string) => {
    const key = row.planKey || `${row.variant}:${row.seed}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ row, name, description });
  };
  for (const r of ok.filter((x) => x.kind === "single-source")) add(r, `single:${r.source}`, `single-source baseline: ${r.source} alone`);
  for (const r of ok.filter((x) => x.kind === "all-sources")) add(r, "all-sources", `all compatible sources, no filters (${r.sources.join(", ")})`);
  for (const kind of ["policy", "random-plan"] as const) {
    const byScore = ok.filter((x) => x.kind === kind).sort((a, b) => b.score - a.score || a.seed - b.seed);
    let taken = 0;
    for (const r of [byScore[0], byScore.at(-1), ...byScore.slice(1)]) {
      if (!r || taken >= 2) continue;
      const before = out.length;
      add(r, `${kind} s${r.seed}`, `${kind} recipe, seed ${r.seed}: ${r.sources.join(", ")}`);
      if (out.length > before) taken++;
    }
  }
  return out;
}

/** The best source by its mean score over seeds, at its lowest seed (not the luckiest draw). */
export function bestSingleSource(rows: RecipeRow[]): RecipeRow | undefined {
  const bySource = new Map<string, RecipeRow[]>();
  for (const r of rows.filter((x) => x.kind === "single-source" && x.status === "ok")) bySource.set(r.source ?? r.variant, [...(bySource.get(r.source ?? r.variant) ?? []), r]);
  let best: { mean: number; row: RecipeRow } | undefined;
  for (const rs of bySource.values()) {
    const mean = rs.reduce((s, r) => s + r.score, 0) / rs.length;
    const first = [...rs].sort((a, b) => a.seed - b.seed)[0]!;
    if (!best || mean > best.mean) best = { mean, row: first };
  }
  return best?.row;
}

export async function downstreamForTask(args: {
  task: EvalTask;
  rows: RecipeRow[];
  /** Records of other tasks (off-domain variant). */
  pool: ChatRecord[];
  outDir: string;
  ctx: RecipeContext;
  max?: number;
  trainCap?: number;
  log?: (line: string) => void;
}): Promise<DownstreamResult | null> {
  const { task } = args;
  const contract = task.prepared.verifierContract;
  const kind = proxyKindOf(contract);
  if (!kind) return null;
  const max = args.max ?? 12;
  const trainCap = args.trainCap ?? 5000;
  const dir = path.join(args.outDir, "downstream", task.loaded.spec.id);
  mkdirSync(dir, { recursive: true });
  const notes: string[] = [];

  const bench = await formatBenchmark({ loaded: task.loaded, contract: task.prepared.contract, dir: path.join(dir, "benchmark"), sandbox: args.ctx.sandbox });
  const read = examplesOf(bench, contract, kind);
  // benchmark items whose reference is not a label/option cannot be scored
  const test = { examples: read.examples.filter((ex) => !isOther(ex)), skipped: read.skipped + read.examples.filter(isOther).length };
  if (test.skipped) notes.push(`${test.skipped} benchmark records could not be read as a ${kind} answer and are not scored`);

  const recipes: Candidate[] = recipeCandidates(args.rows).map((c) => ({
    name: c.name,
    description: c.description,
    origin: "recipe",
    records: readChat(path.join(c.row.outDir, "data.jsonl")),
    reward: c.row.score,
  }));
  const variants: Candidate[] = [];
  const baseRow = bestSingleSource(args.rows) ?? args.rows.filter((r) => r.status === "ok").sort((a, b) => b.score - a.score || a.seed - b.seed)[0];
  if (baseRow) {
    const base = readChat(path.join(baseRow.outDir, "data.jsonl"));
    const label = baseRow.source ?? baseRow.variant;
    const variant = (k: LadderKind, share: number, what: string) => {
      const c = corrupt(base, k, share, { contract, seed: 7, pool: args.pool });
      if (c.changed > 0) variants.push({ name: `${label} ${k} ${Math.round(share * 100)}%`, description: `${label} with ${Math.round((100 * c.changed) / base.length)}% ${what}`, origin: "variant", records: c.records });
    };
    // quality first, then size: quality is what the verifier is meant to see
    variant("wrong_answer", 0.2, "wrong labels");
    variant("wrong_answer", 0.5, "wrong labels");
    if (args.pool.length) variant("off_domain", 0.5, "records from other tasks");
    variant("refusal_truncation", 0.3, "refusals or truncated answers");
    for (const n of [1000, 200, 50]) if (base.length > n * 1.5) variants.push({ name: `${label} x${n}`, description: `${n} records of ${label}`, origin: "variant", records: sample(base, n, 1) });
  } else notes.push("no executed recipe to derive variants from");
  // recipe outputs first, but leave room for the variants (at least 4 recipe outputs when there are)
  const candidates = [...recipes.slice(0, Math.max(4, max - variants.length)), ...variants];

  const chosen = candidates.slice(0, max);
  if (chosen.length < 8) notes.push(`only ${chosen.length} training sets could be built (8 wanted)`);
  const scorer = await recordScorer(task, args.ctx);
  const datasets: DownstreamDataset[] = [];
  for (const [i, c] of chosen.entries()) {
    const reward = c.reward ?? (await scorer.score(c.records, path.join(dir, `variant-${i}.jsonl`)));
    const s = proxyScore(c.records, test.examples, contract, kind, { cap: trainCap });
    datasets.push({ name: c.name, description: c.description, origin: c.origin, records: c.records.length, reward: round(reward), accuracy: round(s.accuracy), trained: s.trained });
    args.log?.(`downstream ${task.loaded.spec.id}: ${c.name}: reward ${reward.toFixed(3)}, proxy accuracy ${s.accuracy.toFixed(3)} (${s.trained} trained, ${s.other} not a label)`);
  }
  const rewards = datasets.map((d) => d.reward);
  const accs = datasets.map((d) => d.accuracy);
  const rec = datasets.filter((d) => d.origin === "recipe");
  const r = pearson(rewards, accs);
  const rho = spearman(rewards, accs);
  const maj = majorityAccuracy(test.examples);
  // no better than always answering the most frequent label, within two standard errors: noise
  const se = Math.sqrt((maj * (1 - maj)) / Math.max(1, test.examples.length));
  const meanAcc = accs.reduce((a, b) => a + b, 0) / Math.max(1, accs.length);
  if (meanAcc - maj < 2 * se)
    notes.push(`the proxy's mean accuracy (${meanAcc.toFixed(3)}) is within noise of the majority-class accuracy (${maj.toFixed(3)}): it cannot learn this task from lexical features, so its correlation here says little`);
  return {
    kind,
    datasets,
    pearson: r === null ? null : round(r),
    spearman: rho === null ? null : round(rho),
    recipesOnly: (() => {
      const rp = pearson(rec.map((d) => d.reward), rec.map((d) => d.accuracy));
      const rs = spearman(rec.map((d) => d.reward), rec.map((d) => d.accuracy));
      return { n: rec.length, pearson: rp === null ? null : round(rp), spearman: rs === null ? null : round(rs) };
    })(),
    majorityAccuracy: round(maj),
    benchmarkRecords: test.examples.length,
    trainCap,
    notes,
  };
}
