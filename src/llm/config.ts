/**
 * Model configuration of every LLM-backed agent, from the environment and the run's context.
 *
 * Precedence, most specific first (the run context wins over the environment, so Studio users can
 * switch models per run):
 *   ctx.agents[agent].<field>  >  ctx.<agent>Model / ctx.judgeBaseUrl ...  >  DATACHEF_<AGENT>_<FIELD>
 *   >  ctx.model / ctx.baseUrl  >  DATACHEF_MODEL / OPENAI_BASE_URL  >  defaults
 *
 * No model anywhere means `null`: the agent uses its built-in policy. The model name "builtin"
 * (e.g. DATACHEF_JUDGE_MODEL=builtin) keeps one agent built-in while the others use a model.
 */
import { ChatOpenAI, ChatOpenAICompletions, ChatOpenAIResponses, wrapOpenAIClientError, type OpenAIClient as OpenAI } from "@langchain/openai";

export const LLM_AGENTS = ["planner", "coder", "chef", "judge", "synthesis"] as const;
export type LlmAgent = (typeof LLM_AGENTS)[number];

/** How structured outputs are requested; "text" asks for prose and parses it ourselves. */
export const STRUCTURED_METHODS = ["jsonSchema", "functionCalling", "jsonMode", "text"] as const;
export type StructuredMethod = (typeof STRUCTURED_METHODS)[number];

export interface ModelConfig {
  agent: LlmAgent;
  model: string;
  /** OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1; undefined = the OpenAI API. */
  baseUrl?: string;
  apiKey: string;
  temperature: number;
  maxTokens?: number;
  /** One HTTP request's limit (ChatOpenAI `timeout`). */
  timeoutMs: number;
  /** HTTP-level retries of the OpenAI client (connection errors, 429, 5xx). */
  maxRetries: number;
  /** Calls of this agent in flight at once (the judge grades samples concurrently). */
  concurrency: number;
  /** How structured outputs (the planner's plan) are requested. */
  structuredMethod: StructuredMethod;
  /** Stream the completion (SSE); the final message is the same. */
  streaming: boolean;
}

/** Per-agent fields a run context may override. */
export type AgentOverrides = Partial<Omit<ModelConfig, "agent" | "apiKey">>;

/**
 * What a run context (LangGraph runtime context, CLI flags) may say about models. Every field is
 * optional; `temperature` is the policy's sampling temperature (planner, coder, chef only).
 */
export interface LlmRunContext {
  model?: string;
  baseUrl?: string;
  temperature?: number;
  plannerModel?: string;
  coderModel?: string;
  chefModel?: string;
  judgeModel?: string;
  synthesisModel?: string;
  judgeBaseUrl?: string;
  agents?: Partial<Record<LlmAgent, AgentOverrides>>;
}

type Env = Record<string, string | undefined>;

const POLICY_AGENTS = new Set<LlmAgent>(["planner", "coder", "chef"]);

const DEFAULTS: Record<LlmAgent, { temperature: number; timeoutMs: number; concurrency: number; maxTokens?: number }> = {
  planner: { temperature: 0.7, timeoutMs: 300_000, concurrency: 1 },
  coder: { temperature: 0.7, timeoutMs: 300_000, concurrency: 1 },
  chef: { temperature: 0.7, timeoutMs: 300_000, concurrency: 1 },
  // a judge should be repeatable: greedy by default
  judge: { temperature: 0, timeoutMs: 120_000, concurrency: 8 },
  synthesis: { temperature: 0.7, timeoutMs: 120_000, concurrency: 4 },
};

export class ModelConfigError extends Error {
  override name = "ModelConfigError";
}

function envKey(agent: LlmAgent, field: string): string {
  return `DATACHEF_${agent.toUpperCase()}_${field}`;
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

function num(name: string, raw: string | undefined, opts: { int?: boolean; min?: number } = {}): number | undefined {
  const t = nonEmpty(raw);
  if (t === undefined) return undefined;
  const n = Number(t);
  if (!Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min))
    throw new ModelConfigError(`${name}=${JSON.stringify(raw)}: expected ${opts.int ? "an integer" : "a number"}${opts.min !== undefined ? ` >= ${opts.min}` : ""}`);
  return n;
}

function bool(name: string, raw: string | undefined): boolean | undefined {
  const t = nonEmpty(raw)?.toLowerCase();
  if (t === undefined) return undefined;
  if (["1", "true", "yes", "on"].includes(t)) return true;
  if (["0", "false", "no", "off"].includes(t)) return false;
  throw new ModelConfigError(`${name}=${JSON.stringify(raw)}: expected true or false`);
}

function method(name: string, raw: string | undefined): StructuredMethod | undefined {
  const t = nonEmpty(raw);
  if (t === undefined) return undefined;
  const found = STRUCTURED_METHODS.find((m) => m.toLowerCase() === t.toLowerCase().replace(/[_-]/g, ""));
  if (!found) throw new ModelConfigError(`${name}=${JSON.stringify(raw)}: expected one of ${STRUCTURED_METHODS.join(", ")}`);
  return found;
}

function ctxModel(agent: LlmAgent, ctx: LlmRunContext): string | undefined {
  const byAgent: Record<LlmAgent, string | undefined> = {
    planner: ctx.plannerModel,
    coder: ctx.coderModel,
    chef: ctx.chefModel,
    judge: ctx.judgeModel,
    synthesis: ctx.synthesisModel,
  };
  return nonEmpty(ctx.agents?.[agent]?.model) ?? nonEmpty(byAgent[agent]);
}

/** The model name an agent would use, or undefined; "builtin" is returned as is. */
function resolveModel(agent: LlmAgent, ctx: LlmRunContext, env: Env): string | undefined {
  // The chef is the end-to-end policy: it falls back to the planner's model before the generic one.
  const own = ctxModel(agent, ctx) ?? nonEmpty(env[envKey(agent, "MODEL")]);
  if (own) return own;
  if (agent === "chef") {
    const planner = ctxModel("planner", ctx) ?? nonEmpty(env[envKey("planner", "MODEL")]);
    if (planner) return planner;
  }
  return nonEmpty(ctx.model) ?? nonEmpty(env.DATACHEF_MODEL);
}

/**
 * The model configuration of `agent`, or null when none is configured (built-in policy).
 * Throws ModelConfigError on malformed values (a typo should not silently fall back).
 */
export function modelConfigFor(agent: LlmAgent, ctx: LlmRunContext = {}, env: Env = process.env): ModelConfig | null {
  const model = resolveModel(agent, ctx, env);
  if (!model || model.toLowerCase() === "builtin") return null;
  const o = ctx.agents?.[agent] ?? {};
  const e = (field: string) => env[envKey(agent, field)];
  const d = DEFAULTS[agent];
  const baseUrl =
    nonEmpty(o.baseUrl) ??
    (agent === "judge" ? nonEmpty(ctx.judgeBaseUrl) : undefined) ??
    nonEmpty(e("BASE_URL")) ??
    nonEmpty(ctx.baseUrl) ??
    nonEmpty(env.OPENAI_BASE_URL);
  const temperature =
    o.temperature ??
    num(envKey(agent, "TEMPERATURE"), e("TEMPERATURE"), { min: 0 }) ??
    (POLICY_AGENTS.has(agent) ? ctx.temperature : undefined) ??
    num("DATACHEF_TEMPERATURE", POLICY_AGENTS.has(agent) ? env.DATACHEF_TEMPERATURE : undefined, { min: 0 }) ??
    d.temperature;
  const maxTokens = o.maxTokens ?? num(envKey(agent, "MAX_TOKENS"), e("MAX_TOKENS"), { int: true, min: 1 }) ?? num("DATACHEF_MAX_TOKENS", env.DATACHEF_MAX_TOKENS, { int: true, min: 1 }) ?? d.maxTokens;
  const timeoutMs = o.timeoutMs ?? num(envKey(agent, "TIMEOUT_MS"), e("TIMEOUT_MS"), { min: 1 }) ?? num("DATACHEF_TIMEOUT_MS", env.DATACHEF_TIMEOUT_MS, { min: 1 }) ?? d.timeoutMs;
  const maxRetries = o.maxRetries ?? num(envKey(agent, "MAX_RETRIES"), e("MAX_RETRIES"), { int: true, min: 0 }) ?? num("DATACHEF_MAX_RETRIES", env.DATACHEF_MAX_RETRIES, { int: true, min: 0 }) ?? 1;
  const concurrency = o.concurrency ?? num(envKey(agent, "CONCURRENCY"), e("CONCURRENCY"), { int: true, min: 1 }) ?? d.concurrency;
  const structuredMethod =
    o.structuredMethod ?? method(envKey(agent, "STRUCTURED_METHOD"), e("STRUCTURED_METHOD")) ?? method("DATACHEF_STRUCTURED_METHOD", env.DATACHEF_STRUCTURED_METHOD) ?? "jsonSchema";
  const streaming = o.streaming ?? bool(envKey(agent, "STREAMING"), e("STREAMING")) ?? bool("DATACHEF_STREAMING", env.DATACHEF_STREAMING) ?? false;
  // Local servers (vLLM, Ollama, llama.cpp) ignore the key, but the OpenAI client insists on one.
  const apiKey = nonEmpty(e("API_KEY")) ?? nonEmpty(env.OPENAI_API_KEY) ?? "not-needed";
  return {
    agent,
    model,
    ...(baseUrl ? { baseUrl } : {}),
    apiKey,
    temperature,
    ...(maxTokens !== undefined ? { maxTokens } : {}),
    timeoutMs,
    maxRetries,
    concurrency,
    structuredMethod,
    streaming,
  };
}

/** True when any policy agent (planner, coder or chef) has a model. */
export function policyHasModel(ctx: LlmRunContext = {}, env: Env = process.env): boolean {
  return ["planner", "coder", "chef"].some((a) => modelConfigFor(a as LlmAgent, ctx, env) !== null);
}

/** A one-line, secret-free description for reports: "qwen3-32b @ http://127.0.0.1:8000/v1". */
export function describeModel(cfg: ModelConfig): string {
  return cfg.baseUrl ? `${cfg.model} @ ${cfg.baseUrl}` : cfg.model;
}

type TokenContent = Parameters<ChatOpenAI["getNumTokens"]>[0];

/** About four characters per token: the offline estimate. */
export function approxTokens(content: TokenContent): number {
  const text =
    typeof content === "string"
      ? content
      : content.map((p) => (typeof p === "string" ? p : p && typeof p === "object" && "text" in p ? String((p as unknown as { text: unknown }).text) : "")).join("");
  return Math.ceil(text.length / 4);
}

/*
 * The stock classes estimate token counts of streamed calls with tiktoken, whose encodings they
 * fetch from the internet (tiktoken.pages.dev, with retries): a hidden network dependency that
 * stalls offline runs and contacts a third party. Usage reported by the server is kept; only the
 * estimate changes. ChatOpenAI delegates to inner completions/responses objects, so all three
 * are replaced.
 */
class OfflineCompletions extends ChatOpenAICompletions {
  override async getNumTokens(content: TokenContent): Promise<number> {
    return approxTokens(content);
  }

  /*
   * For json_schema requests the stock class calls the SDK's `parse()`, which throws on an answer
   * that is not valid JSON and so loses the raw text we feed back to the model (and record).
   * `create()` returns the answer as is; datachef validates it itself.
   */
  override completionWithRetry(request: OpenAI.Chat.ChatCompletionCreateParamsStreaming, requestOptions?: OpenAI.RequestOptions): Promise<AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>>;
  override completionWithRetry(request: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, requestOptions?: OpenAI.RequestOptions): Promise<OpenAI.Chat.Completions.ChatCompletion>;
  override async completionWithRetry(request: OpenAI.Chat.ChatCompletionCreateParams, requestOptions?: OpenAI.RequestOptions): Promise<unknown> {
    if (request.response_format?.type !== "json_schema" || request.stream) return super.completionWithRetry(request as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, requestOptions);
    const { maxRetries, ...sdkOptions } = (requestOptions ?? {}) as OpenAI.RequestOptions & { maxRetries?: number };
    const clientOptions = this._getClientOptions(sdkOptions);
    return this.caller.callWithOptions({ maxRetries } as never, async () => {
      try {
        return await this.client.chat.completions.create(request as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, clientOptions);
      } catch (e) {
        throw wrapOpenAIClientError(e);
      }
    });
  }
}

class OfflineResponses extends ChatOpenAIResponses {
  override async getNumTokens(content: TokenContent): Promise<number> {
    return approxTokens(content);
  }
}

export class OfflineChatOpenAI extends ChatOpenAI {
  override async getNumTokens(content: TokenContent): Promise<number> {
    return approxTokens(content);
  }
}

/** `@langchain/openai` ChatOpenAI for a configuration (any OpenAI-compatible endpoint). */
export function chatModelFromConfig(cfg: ModelConfig): ChatOpenAI {
  const fields = {
    model: cfg.model,
    apiKey: cfg.apiKey,
    temperature: cfg.temperature,
    ...(cfg.maxTokens !== undefined ? { maxTokens: cfg.maxTokens } : {}),
    timeout: cfg.timeoutMs,
    maxRetries: cfg.maxRetries,
    streaming: cfg.streaming,
    configuration: cfg.baseUrl ? { baseURL: cfg.baseUrl } : {},
  };
  return new OfflineChatOpenAI({ ...fields, completions: new OfflineCompletions(fields), responses: new OfflineResponses(fields) });
}

const sharedModels = new Map<string, ChatOpenAI>();
const SHARED_MODELS_MAX = 32;

/**
 * One chat model per distinct configuration, reused by every call: building a ChatOpenAI (and its
 * OpenAI client) per call was a measurable share of a judge call's CPU. Models hold no per-call
 * state, so concurrent calls can share one. Bounded: the oldest configuration is dropped.
 */
export function sharedChatModel(cfg: ModelConfig): ChatOpenAI {
  const key = JSON.stringify([cfg.model, cfg.baseUrl ?? null, cfg.apiKey, cfg.temperature, cfg.maxTokens ?? null, cfg.timeoutMs, cfg.maxRetries, cfg.streaming]);
  let m = sharedModels.get(key);
  if (!m) {
    if (sharedModels.size >= SHARED_MODELS_MAX) sharedModels.delete(sharedModels.keys().next().value!);
    sharedModels.set(key, (m = chatModelFromConfig(cfg)));
  }
  return m;
}

/** The chat model of `agent`, or null when none is configured. */
export function chatModelFor(agent: LlmAgent, ctx: LlmRunContext = {}, env: Env = process.env): ChatOpenAI | null {
  const config = modelConfigFor(agent, ctx, env);
  return config ? chatModelFromConfig(config) : null;
}
