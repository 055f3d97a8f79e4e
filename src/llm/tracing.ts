/** LangSmith tracing: on when LANGSMITH_TRACING=true; traces are flushed before the CLI exits. */
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";

export function tracingEnabled(): boolean {
  return ["true", "1"].includes((process.env.LANGSMITH_TRACING ?? process.env.LANGCHAIN_TRACING_V2 ?? "").toLowerCase());
}

/** Waits for pending trace uploads; a no-op when tracing is off. */
export async function flushTracing(): Promise<void> {
  if (tracingEnabled()) await awaitAllCallbacks();
}
