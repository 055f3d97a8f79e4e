/**
 * One place that calls chat models for the agents: recorder and tracing attached, an overall
 * deadline on top of the client's per-request timeout, and every failure turned into an
 * `LlmCallError` with a kind (http_error, timeout, malformed_response, connection, ...), so
 * agents can report a clear status instead of crashing.
 */
import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { sharedChatModel, type ModelConfig } from "./config.js";
import { firstJson } from "./parse.js";
import type { TrajectoryRecorder } from "./recorder.js";

export type LlmFailureKind = "http_error" | "timeout" | "malformed_response" | "connection" | "aborted" | "empty_response" | "unknown";

export class LlmCallError extends Error {
  override name = "LlmCallError";
  constructor(
    message: string,
    readonly kind: LlmFailureKind,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** A policy agent gave up: the model failed or kept answering invalidly. */
export class LlmPolicyError extends Error {
  override name = "LlmPolicyError";
  constructor(
    message: string,
    /** "invalid_output" after the bounded retries, else the call failure's kind. */
    readonly kind: LlmFailureKind | "invalid_output",
    readonly attempts: number,
  ) {
    super(message);
  }
}

export interface PromptMessages {
  system?: string;
  user: string;
  /** Turns after the first user turn (a follow-up after a reply, for instance). */
  turns?: { role: "assistant" | "user"; content: string }[];
}

export interface LlmCallOptions {
  config: ModelConfig;
  recorder?: TrajectoryRecorder;
  callbacks?: BaseCallbackHandler[];
  /** Agent name for the recorder and the trace (default config.agent). */
  agent?: string;
  /** Stored with the recorded call (attempt, retry, sample index, ...). */
  meta?: Record<string, unknown>;
  /** Trace metadata (task id, seed, policy, model). */
  traceMetadata?: Record<string, unknown>;
  signal?: AbortSignal;
  /** A prebuilt model (tests); default: the shared model of `config`. */
  model?: ChatOpenAI;
}

export function toMessages(p: PromptMessages): BaseMessage[] {
  const turns = (p.turns ?? []).map((t) => (t.role === "assistant" ? new AIMessage(t.content) : new HumanMessage(t.content)));
  return [...(p.system ? [new SystemMessage(p.system)] : []), new HumanMessage(p.user), ...turns];
}

/** The longest a call may take in all: every HTTP attempt's timeout plus retry back-off. */
export function callDeadlineMs(cfg: ModelConfig): number {
  return cfg.timeoutMs * (cfg.maxRetries + 1) + 2_000 * cfg.maxRetries + 1_000;
}

function statusOf(e: unknown): number | undefined {
  const any = e as { status?: unknown; response?: { status?: unknown }; lc_error_code?: string };
  const s = any?.status ?? any?.response?.status;
  return typeof s === "number" ? s : undefined;
}

/** Names what went wrong with a call, for statuses and feedback. */
export function classifyLlmError(e: unknown, deadlineHit = false): LlmCallError {
  if (e instanceof LlmCallError) return e;
  const err = e as Error;
  const name = err?.name ?? "";
  const msg = (err?.message ?? String(e)).replace(/\s+/g, " ").slice(0, 500);
  const status = statusOf(e);
  if (deadlineHit) return new LlmCallError(`no answer within the deadline: ${msg}`, "timeout");
  if (/timeout|timed out/i.test(name) || /timed? ?out/i.test(msg)) return new LlmCallError(`the model did not answer in time: ${msg}`, "timeout");
  if (status !== undefined) return new LlmCallError(`HTTP ${status} from the model server: ${msg}`, "http_error", status);
  if (/abort/i.test(name) || /abort/i.test(msg)) return new LlmCallError(`the call was aborted: ${msg}`, "aborted");
  if (name === "SyntaxError" || /JSON|Unexpected (token|end)|Unterminated/i.test(msg)) return new LlmCallError(`the model server sent a malformed response: ${msg}`, "malformed_response");
  // The client tripped over a response without the fields of a completion (an empty body, say).
  if (name === "TypeError" && /undefined|null|not iterable|is not a function/.test(msg)) return new LlmCallError(`the model server's response is not a chat completion: ${msg}`, "malformed_response");
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|socket hang up|fetch failed|Connection error/i.test(msg) || /Connection/i.test(name))
    return new LlmCallError(`cannot reach the model server: ${msg}`, "connection");
  return new LlmCallError(`${name ? `${name}: ` : ""}${msg}`, "unknown");
}

function runConfig(opts: LlmCallOptions, signal: AbortSignal) {
  const agent = opts.agent ?? opts.config.agent;
  return {
    callbacks: [...(opts.recorder ? [opts.recorder] : []), ...(opts.callbacks ?? [])],
    runName: agent,
    tags: [`agent:${agent}`],
    metadata: { agent, model: opts.config.model, ...opts.traceMetadata, ...(opts.meta ? { call_meta: opts.meta } : {}) },
    signal,
  };
}

/** Runs fn under the call's overall deadline (and the caller's signal). */
async function withDeadline<T>(opts: LlmCallOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctrl = new AbortController();
  const started = Date.now();
  let deadlineHit = false;
  const timer = setTimeout(() => {
    deadlineHit = true;
    ctrl.abort(new Error(`deadline of ${callDeadlineMs(opts.config)} ms exceeded`));
  }, callDeadlineMs(opts.config));
  const onAbort = () => ctrl.abort(opts.signal?.reason);
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    return await fn(ctrl.signal);
  } catch (e) {
    const err = classifyLlmError(e, deadlineHit);
    // The client reports its own request timeout as a bare "Connection error." in some runtimes
    // (an AbortError from another realm); a connection that failed only after the whole
    // per-request timeout was a timeout.
    if (err.kind === "connection" && Date.now() - started >= opts.config.timeoutMs * 0.95)
      throw new LlmCallError(`the model did not answer within ${opts.config.timeoutMs} ms: ${err.message}`, "timeout");
    throw err;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === "string" ? p : p && typeof p === "object" && "text" in p ? String((p as { text: unknown }).text) : "")).join("");
  return "";
}

export interface ChatReply {
  text: string;
  /** Token usage reported by the server (or estimated for streamed calls), when known. */
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** A plain text completion with its token usage. */
export async function invokeChat(prompt: PromptMessages, opts: LlmCallOptions): Promise<ChatReply> {
  const model = opts.model ?? sharedChatModel(opts.config);
  return withDeadline(opts, async (signal) => {
    const msg = await model.invoke(toMessages(prompt), runConfig(opts, signal));
    const text = textOf(msg.content);
    if (!text.trim()) throw new LlmCallError("the model returned an empty answer", "empty_response");
    const um = msg.usage_metadata;
    const usage = um ? { prompt_tokens: um.input_tokens ?? 0, completion_tokens: um.output_tokens ?? 0, total_tokens: um.total_tokens ?? (um.input_tokens ?? 0) + (um.output_tokens ?? 0) } : undefined;
    return { text, ...(usage ? { usage } : {}) };
  });
}

/** A plain text completion. */
export async function invokeText(prompt: PromptMessages, opts: LlmCallOptions): Promise<string> {
  return (await invokeChat(prompt, opts)).text;
}

export interface StructuredResult<T> {
  value?: T;
  /** What the model sent (JSON text or tool-call arguments), for feedback. */
  raw: string;
  /** Why `value` is missing: not JSON, or the schema's complaints. */
  error?: string;
}

function schemaErrors(error: z.ZodError): string {
  return error.issues
    .slice(0, 8)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

/**
 * A structured completion validated against a zod schema, requested with the configured method
 * (json_schema response format, a forced tool call, or JSON mode). Invalid output is returned
 * with its error, not thrown: the caller decides whether to retry with feedback.
 */
export async function invokeStructured<T>(prompt: PromptMessages, schema: z.ZodType<T>, name: string, opts: LlmCallOptions): Promise<StructuredResult<T>> {
  const model = opts.model ?? sharedChatModel(opts.config);
  const method = opts.config.structuredMethod === "text" ? "jsonSchema" : opts.config.structuredMethod;
  // A plain JSON schema, not the zod object: given zod, the OpenAI SDK validates inside the model
  // call and throws, which would lose the raw answer we need for feedback. We validate below.
  const { $schema: _drop, ...jsonSchema } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  // strict: false, because strict json_schema needs every field required (ours has optional ones)
  const runnable = model.withStructuredOutput(jsonSchema, { name, method, includeRaw: true, strict: false });
  return withDeadline(opts, async (signal) => {
    const out = (await runnable.invoke(toMessages(prompt), runConfig(opts, signal))) as { raw: BaseMessage; parsed: unknown };
    const calls = (out.raw as unknown as { tool_calls?: { args: unknown }[] }).tool_calls;
    const candidate = calls?.length ? calls[0]!.args : undefined;
    const rawText = candidate !== undefined ? JSON.stringify(candidate) : textOf(out.raw.content);
    if (out.parsed !== null && out.parsed !== undefined) {
      const ok = schema.safeParse(out.parsed);
      if (ok.success) return { value: ok.data, raw: rawText };
    }
    if (!rawText.trim()) return { raw: rawText, error: "the answer is empty" };
    const json = candidate ?? firstJson(rawText);
    if (json === undefined) return { raw: rawText, error: "the answer is not valid JSON" };
    const checked = schema.safeParse(json);
    if (checked.success) return { value: checked.data, raw: rawText };
    return { raw: rawText, error: `the JSON does not match the schema: ${schemaErrors(checked.error)}` };
  });
}
