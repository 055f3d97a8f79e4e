/** Progress events: nodes emit them on LangGraph's `custom` stream; the CLI and Studio show them. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";

export interface ProgressEvent {
  type: "progress";
  node: string;
  message: string;
  done?: number;
  total?: number;
}

export type ProgressFn = (message: string, done?: number, total?: number) => void;

export function isProgressEvent(x: unknown): x is ProgressEvent {
  return !!x && typeof x === "object" && (x as ProgressEvent).type === "progress";
}

/** A progress callback that writes to the run's custom stream (a no-op outside a graph run). */
export function progressWriter(config: LangGraphRunnableConfig | undefined, node: string): ProgressFn {
  const writer = config?.writer;
  return (message, done, total) => {
    const ev: ProgressEvent = { type: "progress", node, message, ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) };
    writer?.(ev);
  };
}
