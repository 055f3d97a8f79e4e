/**
 * Rollout throughput.
 * A. Built-in policy: rollouts per minute for one G-group per task at a given concurrency (2 cores here).
 * B. LLM policy under simulated latency: the chef policy and the LLM judge behind the loopback
 *    OpenAI-compatible server answering every call after 500 ms; wall time of one rollout (G=1)
 *    against a G=8 group at concurrency 8. The model calls overlap; the sandbox and verifier CPU
 *    work does not, so the ratio says how much of a rollout is waiting on the model.
 * Run: npx tsx bench/rollout-throughput.ts [--tasks FILE...] [--group 8] [--concurrency 2] [--latency 500] [--samples 100]
 * Writes bench/out/rollout-throughput.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { rolloutGraph } from "../graphs/rollout.js";
import { rolloutContext } from "../graphs/rollout-state.js";
import { demoTaskSpec, ensureDemoPool } from "../src/demo/generate.js";
import { REPO_ROOT } from "../src/recipe/paths.js";
import { preparedTasks } from "../src/rl/collect.js";
import { instanceView } from "../src/rl/instances.js";
import { builtinCompletion } from "../src/rl/builtin-completion.js";
import { startOpenAiTestServer } from "../src/llm/testing/openai-server.js";
import { SHARED_TASKS } from "../evals/shared.js";

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : dflt;
  };
  const group = Number(opt("--group", "8"));
  const concurrency = Number(opt("--concurrency", "2"));
  const latency = Number(opt("--latency", "500"));
  const samples = Number(opt("--samples", "100")); // the product default of graded samples
  const tasks = opt("--tasks", path.join(SHARED_TASKS, "gsm8k.json")).split(",");

  // A. built-in policy
  for (const t of tasks) await preparedTasks.get(t); // prepared once per task, as a collection does
  const [a, aMs] = await timed(() => rolloutGraph.invoke({ tasks }, { context: rolloutContext({ group, concurrency, seed: 1, samples: 100 }) }));
  const builtin = { tasks: tasks.map((t) => path.basename(t)), rollouts: a.rollouts.length, concurrency, wallMs: Math.round(aMs), perMinute: +((a.rollouts.length / aMs) * 60_000).toFixed(1), meanReward: a.rollouts.reduce((s, r) => s + (r.reward ?? 0), 0) / a.rollouts.length };
  console.log(`A. built-in: ${builtin.rollouts} rollouts in ${(aMs / 1000).toFixed(1)}s at concurrency ${concurrency}: ${builtin.perMinute} rollouts/min`);

  // B. LLM policy with 500 ms per call
  const spec = demoTaskSpec(await ensureDemoPool(), "math");
  const full = await preparedTasks.get(spec, { maxRecords: 200 });
  const reply = builtinCompletion(instanceView(full, full.loaded.spec.sources.map((s) => s.id)), 3);
  const server = await startOpenAiTestServer({
    latencyMs: latency,
    replies: [
      { match: /You are datachef, an expert/, content: reply, name: "chef" },
      { match: /Data Verifier of datachef/, content: "The question is complete and the answer follows the format.\nGrade: \\boxed{E} Reason: a correct, well-formatted example.", name: "judge" },
    ],
  });
  const ctxFor = (g: number, c: number, seed: number) => rolloutContext({ group: g, concurrency: c, seed, samples, maxAttempts: 1, maxRecordsOverride: 200, model: "test-model", baseUrl: server.url, policyMode: "chef" });
  try {
    await rolloutGraph.invoke({ tasks: [spec] }, { context: ctxFor(1, 1, 99) }); // warm-up (imports, caches)
    const singles: number[] = [];
    for (const seed of [1, 2, 3]) singles.push((await timed(() => rolloutGraph.invoke({ tasks: [spec] }, { context: ctxFor(1, 1, seed) })))[1]);
    const single = [...singles].sort((x, y) => x - y)[1]!;
    server.reset(...[
      { match: /You are datachef, an expert/, content: reply, name: "chef" },
      { match: /Data Verifier of datachef/, content: "The question is complete and the answer follows the format.\nGrade: \\boxed{E} Reason: a correct, well-formatted example.", name: "judge" },
    ]);
    const [g8, groupMs] = await timed(() => rolloutGraph.invoke({ tasks: [spec] }, { context: ctxFor(8, 8, 7) }));
    const calls = server.chatRequests().length;
    const llm = {
      latencyMs: latency,
      samples,
      singleRolloutMs: Math.round(single),
      singleRuns: singles.map(Math.round),
      group8Ms: Math.round(groupMs),
      ratio: +(groupMs / single).toFixed(2),
      callsPerGroup: calls,
      statuses: g8.rollouts.map((r) => r.status),
    };
    console.log(`B. LLM policy (chef + LLM judge, ${latency} ms per call, ${samples} judged samples): single rollout ${(single / 1000).toFixed(2)}s, G=8 at concurrency 8 ${(groupMs / 1000).toFixed(2)}s: ratio ${llm.ratio} (${calls} model calls in the group)`);
    mkdirSync(path.join(REPO_ROOT, "bench", "out"), { recursive: true });
    writeFileSync(path.join(REPO_ROOT, "bench", "out", "rollout-throughput.json"), JSON.stringify({ builtin, llm, cores: (await import("node:os")).cpus().length }, null, 2) + "\n");
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
