/**
 * The LLM request parser: with a model configured, the chat model fills in a `ChatRequest`
 * (structured output, zod-validated, one retry with the validation error). When the model fails
 * or keeps answering invalidly, the built-in parser takes over, so a chat never dies on it.
 */
import { invokeStructured, LlmCallError, type PromptMessages } from "../../src/llm/call.js";
import type { ModelConfig } from "../../src/llm/config.js";
import { renderChatPrompt } from "../../src/llm/prompts.js";
import { parseRequest } from "./parse.js";
import { ChatRequestSchema, type ChatRequest, type ParseHints } from "./request.js";

export interface LlmParseArgs {
  message: string;
  hints: ParseHints;
  currentTask?: string;
  tasksDir?: string;
  config: ModelConfig;
  traceMetadata?: Record<string, unknown>;
}

export interface LlmParseOutcome {
  request: ChatRequest;
  /** Set when the model could not be used and the built-in parser answered. */
  fallback?: string;
}

function list(xs: string[] | undefined): string {
  return xs?.length ? xs.join(", ") : "(none known)";
}

export async function parseRequestLlm(args: LlmParseArgs): Promise<LlmParseOutcome> {
  const prompt: PromptMessages = renderChatPrompt("chat-parse", {
    current_task: args.currentTask ?? "(none yet)",
    sources: list(args.hints.sources),
    tasks_dir: args.tasksDir ?? "(not set)",
    task_ids: list(args.hints.taskIds),
    message: args.message,
  });
  let feedback = "";
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      const p = feedback ? { ...prompt, turns: [{ role: "user" as const, content: feedback }] } : prompt;
      const out = await invokeStructured(p, ChatRequestSchema, "chat_request", { config: args.config, agent: "chat", traceMetadata: args.traceMetadata, meta: { attempt } });
      if (out.value) {
        const clean = Object.fromEntries(Object.entries(out.value).filter(([, v]) => v !== undefined && v !== null && v !== "")) as typeof out.value;
        return { request: { ...clean, text: args.message.trim(), via: "llm" } };
      }
      feedback = `Your answer was not valid (${out.error}). Answer again with only the JSON object.`;
    } catch (e) {
      if (!(e instanceof LlmCallError)) throw e;
      return { request: parseRequest(args.message, args.hints), fallback: `the model failed (${e.kind}): ${e.message}` };
    }
  }
  return { request: parseRequest(args.message, args.hints), fallback: "the model's answers did not match the request schema" };
}
