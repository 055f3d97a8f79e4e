/**
 * LangSmith tracing: on when LANGSMITH_TRACING=true (LangChain's own switch; graph nodes and
 * model calls are traced by it). `traceAgent` adds one run per agent step, named after the agent
 * (planner, coder, interpreter, verifier, judge) and carrying the run's metadata (task id, seed,
 * policy, model), nested under the graph node that called it. Traces are flushed before the CLI
 * exits (`flushTracing`).
 */
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { RunnableLambda } from "@langchain/core/runnables";

export function tracingEnabled(): boolean {
  return ["true", "1"].includes((process.env.LANGSMITH_TRACING ?? process.env.LANGCHAIN_TRACING_V2 ?? "").toLowerCase());
}

/** Waits for pending trace uploads; a no-op when tracing is off. */
export async function flushTracing(): Promise<void> {
  if (tracingEnabled()) await awaitAllCallbacks();
}

/** Metadata every run of one recipe carries. */
export interface RunTraceMetadata {
  task_id?: string;
  seed?: number;
  /** "builtin", a policy.json, or the model policy ("llm"). */
  policy?: string;
  policy_mode?: string;
  model?: string;
  rollout_id?: string;
  [key: string]: unknown;
}

/** Keys and sizes only: a trace should show what an agent returned, not carry its data twice. */
function summarize(value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== "object") return typeof value === "string" && value.length > 200 ? `${value.slice(0, 200)}… (${value.length} chars)` : value;
  if (Array.isArray(value)) return `[${value.length} items]`;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [
      k,
      typeof v === "string" ? (v.length > 200 ? `${v.slice(0, 200)}… (${v.length} chars)` : v) : Array.isArray(v) ? `[${v.length} items]` : v && typeof v === "object" ? "{…}" : v,
    ]),
  );
}

/**
 * Runs one agent step as a named run (a LangChain runnable, so it nests under the current graph
 * node and inherits its callbacks). With tracing off it just calls fn.
 */
export async function traceAgent<T>(name: string, metadata: RunTraceMetadata, fn: () => Promise<T>, inputs: Record<string, unknown> = {}): Promise<T> {
  if (!tracingEnabled()) return fn();
  let result: T;
  const clean = Object.fromEntries(Object.entries({ agent: name, ...metadata }).filter(([, v]) => v !== undefined));
  await RunnableLambda.from(async () => {
    result = await fn();
    return summarize(result);
  }).invoke(summarize(inputs), { runName: name, metadata: clean, tags: [`agent:${name}`] });
  return result!;
}
