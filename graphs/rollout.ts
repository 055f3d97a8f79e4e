/**
 * The rollout graph: G recipe runs per task instance, then group statistics and advantages.
 *
 *   START -> expand --Send x (instances x G, minus those already stored)--> run_rollout --+
 *              |                                                                         |
 *              +--(nothing left to run)--> score_groups <--------------------------------+
 *                                               |
 *                                              END
 *
 * expand turns tasks into instances (each task, plus seeded source subsets) and groups, and
 * skips rollouts the store already holds (resume). run_rollout runs the recipe graph for one
 * rollout with its own seed, under a concurrency limit, and stores it at once. score_groups
 * computes GRPO / Dr.GRPO advantages per group.
 */
import { setMaxListeners } from "node:events";
import { END, START, Send, StateGraph, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { RolloutContextSchema, RolloutState, pickRolloutSettings, rolloutRunContext, type RolloutJob, type RolloutSettings, type RolloutStateValue, type RolloutStateUpdate } from "./rollout-state.js";
import { planJobs, runJob, scoreGroups } from "../src/rl/collect.js";

type Config = LangGraphRunnableConfig;

/** Custom-stream event of a finished rollout (the CLI's progress line). */
export interface RolloutEvent {
  type: "rollout";
  groupId: string;
  index: number;
  status: string;
  reward: number | null;
  wallMs: number;
}

async function expand(state: RolloutStateValue, config: Config): Promise<RolloutStateUpdate> {
  const ctx = rolloutRunContext(state, config);
  const planned = await planJobs(state.tasks, ctx);
  config.writer?.({ type: "plan", instances: planned.instances.length, jobs: planned.jobs.length, alreadyDone: planned.alreadyDone, group: ctx.group });
  return planned;
}

function fanOut(state: RolloutStateValue): Send[] | "score_groups" {
  const jobs = state.jobs ?? [];
  const settings = pickRolloutSettings(state);
  return jobs.length ? jobs.map((job) => new Send("run_rollout", { job, ...settings })) : "score_groups";
}

async function runRollout(input: { job: RolloutJob } & RolloutSettings, config: Config): Promise<RolloutStateUpdate> {
  const ctx = rolloutRunContext(input, config);
  // every concurrent rollout listens to the run's abort signal
  if (config.signal) setMaxListeners(0, config.signal);
  const r = await runJob(input.job, ctx, {
    callbacks: config.callbacks,
    signal: config.signal,
    onDone: (rec) => config.writer?.({ type: "rollout", groupId: rec.groupId, index: rec.index, status: rec.status, reward: rec.reward, wallMs: rec.wallMs } satisfies RolloutEvent),
  });
  return { rollouts: [r] };
}

async function score(state: RolloutStateValue, config: Config): Promise<RolloutStateUpdate> {
  const ctx = rolloutRunContext(state, config);
  return scoreGroups(state.instances ?? [], state.rollouts, ctx, state.batchId);
}

export const rolloutGraphBuilder = new StateGraph(RolloutState, RolloutContextSchema)
  .addNode("expand", expand)
  .addNode("run_rollout", runRollout)
  .addNode("score_groups", score)
  .addEdge(START, "expand")
  .addConditionalEdges("expand", fanOut, ["run_rollout", "score_groups"])
  .addEdge("run_rollout", "score_groups")
  .addEdge("score_groups", END);

/** Compiled without a checkpointer (the store is the durable record); named for Studio and traces. */
export const rolloutGraph = rolloutGraphBuilder.compile({ name: "rollout" });
