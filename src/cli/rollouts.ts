/** `datachef rollouts`: collect GRPO rollout groups into a store, with progress on stderr. */
import { rolloutGraph, type RolloutEvent } from "../../graphs/rollout.js";
import { rolloutContext, type GroupSummary, type RolloutContext } from "../../graphs/rollout-state.js";
import { ADVANTAGE_METHODS } from "../rl/advantages.js";
import { closeStores } from "../rl/collect.js";
import { InstanceError, resolveTaskFiles } from "../rl/instances.js";
import { StoreError } from "../rl/store.js";
import type { RolloutRecord } from "../rl/types.js";
import { flushTracing } from "../llm/tracing.js";
import { CliError } from "./errors.js";
import { ProgressDisplay } from "./progress.js";
import { formatTable } from "./tasks.js";
import { existsSync } from "node:fs";

export interface RolloutsOptions {
  group: number;
  store: string;
  augment: number;
  seed: number;
  collection?: string;
  concurrency: number;
  policy: string;
  temperature: number;
  samples: number;
  maxAttempts: number;
  maxRecords?: number;
  advantage: string;
  sandbox: "auto" | "local" | "e2b";
  keepRuns?: string;
  model?: string;
  baseUrl?: string;
  policyMode?: string;
  json?: boolean;
}

export interface CollectResult {
  store: string;
  collection: string;
  rollouts: RolloutRecord[];
  groups: GroupSummary[];
  ran: number;
  resumed: number;
  wallMs: number;
}

/** Live figures: rollouts done per second and the mean reward so far. */
export class RolloutProgress {
  private done = 0;
  private total = 0;
  private resumed = 0;
  private rewardSum = 0;
  private scored = 0;
  private failed = 0;
  private readonly t0 = Date.now();

  constructor(private readonly display: ProgressDisplay) {}

  plan(jobs: number, alreadyDone: number): void {
    this.total = jobs;
    this.resumed = alreadyDone;
    this.display.line(`${jobs} rollout(s) to run${alreadyDone ? `, ${alreadyDone} already in the store (resumed)` : ""}`, true);
  }

  rollout(ev: RolloutEvent): void {
    this.done++;
    if (ev.reward !== null) {
      this.rewardSum += ev.reward;
      this.scored++;
    } else this.failed++;
    const secs = (Date.now() - this.t0) / 1000;
    const mean = this.scored ? (this.rewardSum / this.scored).toFixed(3) : "-";
    const last = `${ev.groupId}#${ev.index} ${ev.status}${ev.reward !== null ? ` ${ev.reward.toFixed(3)}` : ""}`;
    this.display.line(
      `[${secs.toFixed(1)}s] ${this.done}/${this.total} rollouts · ${(this.done / Math.max(secs, 1e-3)).toFixed(2)}/s · mean reward ${mean}${this.failed ? ` · ${this.failed} failed` : ""} · last ${last}`,
      true,
    );
  }

  get summary() {
    return { done: this.done, resumed: this.resumed, failed: this.failed };
  }
}

export async function collectRollouts(tasks: string[], ctx: RolloutContext, display = new ProgressDisplay(process.stderr, true)): Promise<CollectResult> {
  const t0 = Date.now();
  const progress = new RolloutProgress(display);
  let last: { rollouts?: RolloutRecord[]; groups?: GroupSummary[] } = {};
  const stream = await rolloutGraph.stream({ tasks }, { context: ctx, streamMode: ["custom", "values"], recursionLimit: 20 });
  for await (const [mode, chunk] of stream as AsyncIterable<[string, any]>) {
    if (mode === "custom" && chunk?.type === "plan") progress.plan(chunk.jobs, chunk.alreadyDone);
    else if (mode === "custom" && chunk?.type === "rollout") progress.rollout(chunk as RolloutEvent);
    else if (mode === "values") last = chunk;
  }
  display.done();
  return {
    store: ctx.store,
    collection: ctx.collection || `s${ctx.seed}`,
    rollouts: last.rollouts ?? [],
    groups: last.groups ?? [],
    ran: progress.summary.done,
    resumed: progress.summary.resumed,
    wallMs: Date.now() - t0,
  };
}

export function groupTable(groups: GroupSummary[]): string {
  const rows = [["group", "n", "mean", "std", "min", "max", "flags"]];
  for (const g of groups)
    rows.push([
      g.groupId,
      `${g.scored}/${g.size}`,
      g.stats ? g.stats.mean.toFixed(3) : "-",
      g.stats ? g.stats.std.toFixed(3) : "-",
      g.stats ? g.stats.min.toFixed(3) : "-",
      g.stats ? g.stats.max.toFixed(3) : "-",
      g.flags.join(",") || "-",
    ]);
  return formatTable(rows);
}

export function contextFromOptions(opts: RolloutsOptions): RolloutContext {
  if (!(ADVANTAGE_METHODS as readonly string[]).includes(opts.advantage)) throw new CliError(`--advantage ${opts.advantage}: expected one of ${ADVANTAGE_METHODS.join(", ")}`);
  if (opts.group < 1) throw new CliError(`--group must be at least 1, got ${opts.group}`);
  if (opts.concurrency < 1) throw new CliError(`--concurrency must be at least 1, got ${opts.concurrency}`);
  if (opts.policy !== "builtin" && !existsSync(opts.policy)) throw new CliError(`--policy ${opts.policy}: expected 'builtin' or an existing policy.json`);
  try {
    return rolloutContext({
      group: opts.group,
      augment: opts.augment,
      concurrency: opts.concurrency,
      advantage: opts.advantage,
      store: opts.store,
      collection: opts.collection ?? "",
      keepRunsDir: opts.keepRuns ?? "",
      maxRecordsOverride: opts.maxRecords ?? null,
      seed: opts.seed,
      policy: opts.policy,
      temperature: opts.temperature,
      samples: opts.samples,
      maxAttempts: opts.maxAttempts,
      sandbox: opts.sandbox,
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
      ...(opts.policyMode ? { policyMode: opts.policyMode } : {}),
    });
  } catch (e) {
    throw new CliError(`invalid rollout options: ${(e as Error).message.split("\n")[0]}`);
  }
}

export async function rolloutsCommand(tasks: string[], opts: RolloutsOptions): Promise<number> {
  const ctx = contextFromOptions(opts);
  try {
    resolveTaskFiles(tasks);
    const r = await collectRollouts(tasks, ctx, new ProgressDisplay(process.stderr, false));
    const failed = r.rollouts.filter((x) => x.status === "failed");
    if (opts.json) {
      process.stdout.write(JSON.stringify({ store: r.store, collection: r.collection, rollouts: r.rollouts.length, ran: r.ran, resumed: r.resumed, failed: failed.length, wall_ms: r.wallMs, groups: r.groups }, null, 2) + "\n");
    } else {
      process.stdout.write(groupTable(r.groups) + "\n");
      const secs = r.wallMs / 1000;
      process.stdout.write(`${r.rollouts.length} rollout(s) in ${r.store || "(no store)"} (collection ${r.collection}): ${r.ran} run now in ${secs.toFixed(1)}s (${((r.ran / Math.max(secs, 1e-3)) * 60).toFixed(1)}/min), ${r.resumed} resumed\n`);
    }
    if (failed.length) {
      process.stderr.write(`datachef: ${failed.length} rollout(s) failed (first: ${failed[0]!.groupId}#${failed[0]!.index}: ${failed[0]!.error}); run the same command again to retry them\n`);
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof InstanceError || e instanceof StoreError) throw new CliError(e.message);
    throw e;
  } finally {
    await closeStores();
    await flushTracing();
  }
}
