/**
 * The recipe-side LLM bridge: how `generate_with_llm` inside the sandbox reaches a model.
 *
 *   recipe.py --HTTP over a unix socket--> LlmBridge (host) --OpenAI-compatible HTTP--> model
 *
 * The sandbox has no network (bubblewrap unshares it, loopback included), so the bridge listens
 * on a unix socket that is bind-mounted into the sandbox (`bindPaths()`, `env()`); a loopback
 * TCP port is available for sandboxes that share the host's network. Protocol of the toolkit:
 * POST {system, prompt, max_tokens, temperature} -> 200 {text, usage}; 429 {error} once the
 * per-recipe budget of calls or tokens is spent; 400 for a bad request; 502/504 when the model
 * fails. Every call, refused ones included, goes into the trajectory recorder.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import os from "node:os";
import path from "node:path";
import type { ChatOpenAI } from "@langchain/openai";
import type { TaskSpec } from "../task/spec.js";
import { callDeadlineMs, invokeChat, LlmCallError } from "./call.js";
import { chatModelFromConfig, type ModelConfig } from "./config.js";
import { Limiter } from "./limit.js";
import type { TrajectoryRecorder } from "./recorder.js";

export interface BridgeBudget {
  /** Calls allowed per recipe run. */
  calls: number;
  /** Prompt + completion tokens allowed per recipe run. */
  tokens: number;
}

export const DEFAULT_BRIDGE_BUDGET: BridgeBudget = { calls: 200, tokens: 400_000 };

/** The budget of a run: run config over the task spec's `budget.llm_calls`/`llm_tokens` over the defaults. */
export function bridgeBudgetFor(spec: Pick<TaskSpec, "budget"> | undefined, override: Partial<BridgeBudget> = {}): BridgeBudget {
  return {
    calls: override.calls ?? spec?.budget?.llm_calls ?? DEFAULT_BRIDGE_BUDGET.calls,
    tokens: override.tokens ?? spec?.budget?.llm_tokens ?? DEFAULT_BRIDGE_BUDGET.tokens,
  };
}

export interface LlmBridgeOptions {
  /** The synthesis model. */
  config: ModelConfig;
  budget: BridgeBudget;
  recorder?: TrajectoryRecorder;
  /** "unix" (default): a socket for bind-mounting into the sandbox; "tcp": 127.0.0.1, port 0. */
  listen?: "unix" | "tcp";
  /** Folder of the socket (default: a fresh private folder under the OS temp dir). */
  socketDir?: string;
  /** Longest prompt accepted, in characters (default 200k). */
  maxPromptChars?: number;
  traceMetadata?: Record<string, unknown>;
  /** A prebuilt model factory (tests); default: built from the config per call. */
  model?: (cfg: ModelConfig) => ChatOpenAI;
}

export interface BridgeUsage {
  calls: number;
  refused: number;
  failed: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

const RequestSchema = {
  parse(raw: unknown): { system?: string; prompt: string; max_tokens?: number; temperature?: number } | string {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) return "the body must be a JSON object";
    const r = raw as Record<string, unknown>;
    if (typeof r.prompt !== "string" || !r.prompt.trim()) return "'prompt' must be a non-empty string";
    if (r.system !== undefined && r.system !== null && typeof r.system !== "string") return "'system' must be a string or null";
    for (const k of ["max_tokens", "temperature"] as const)
      if (r[k] !== undefined && r[k] !== null && (typeof r[k] !== "number" || !Number.isFinite(r[k] as number) || (r[k] as number) < 0)) return `'${k}' must be a non-negative number or null`;
    return {
      prompt: r.prompt,
      ...(typeof r.system === "string" && r.system.trim() ? { system: r.system } : {}),
      ...(typeof r.max_tokens === "number" ? { max_tokens: Math.max(1, Math.floor(r.max_tokens)) } : {}),
      ...(typeof r.temperature === "number" ? { temperature: r.temperature } : {}),
    };
  },
};

export class LlmBridge {
  readonly usage: BridgeUsage = { calls: 0, refused: 0, failed: 0, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly limiter: Limiter;
  private reservedCalls = 0;
  private ownDir?: string;
  /** unix:/path or http://127.0.0.1:port/ (the toolkit's DATACHEF_LLM_BRIDGE). */
  address = "";
  socketPath?: string;

  private constructor(private readonly opts: LlmBridgeOptions) {
    this.limiter = new Limiter(opts.config.concurrency);
  }

  static async start(opts: LlmBridgeOptions): Promise<LlmBridge> {
    const b = new LlmBridge(opts);
    await b.listen();
    return b;
  }

  private async listen(): Promise<void> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    if ((this.opts.listen ?? "unix") === "tcp") {
      await new Promise<void>((resolve, reject) => this.server!.once("error", reject).listen(0, "127.0.0.1", resolve));
      this.address = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
      return;
    }
    // The sandbox user (an unprivileged uid) must traverse the folder to bind the socket, so the
    // folder is 0711: traversable, not listable, and the socket's name is unguessable.
    const dir = this.opts.socketDir ?? (this.ownDir = mkdtempSync(path.join(os.tmpdir(), "datachef-llm-")));
    if (this.ownDir) chmodSync(this.ownDir, 0o711);
    this.socketPath = path.join(dir, `llm-${randomBytes(12).toString("hex")}.sock`);
    await new Promise<void>((resolve, reject) => this.server!.once("error", reject).listen(this.socketPath, resolve));
    // the sandbox runs as an unprivileged uid: it must be able to connect to the bound socket
    chmodSync(this.socketPath, 0o666);
    this.address = `unix:${this.socketPath}`;
  }

  /** Environment for the recipe's process. */
  env(): Record<string, string> {
    return { DATACHEF_LLM_BRIDGE: this.address, DATACHEF_LLM_TIMEOUT: String(Math.ceil(callDeadlineMs(this.opts.config) / 1000) + 5) };
  }

  /** Host paths the sandbox must see (the socket itself, at the same path). */
  bindPaths(): { hostPath: string; sandboxPath?: string; readOnly?: boolean }[] {
    return this.socketPath ? [{ hostPath: this.socketPath }] : [];
  }

  remaining(): { calls: number; tokens: number } {
    return { calls: Math.max(0, this.opts.budget.calls - this.reservedCalls), tokens: Math.max(0, this.opts.budget.tokens - this.usage.total_tokens) };
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
    if (this.ownDir) rmSync(this.ownDir, { recursive: true, force: true });
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    const data = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
    res.end(data);
  }

  private refuse(res: http.ServerResponse, why: string, req: { system?: string; prompt: string }): void {
    this.usage.refused++;
    this.opts.recorder?.note({
      agent: "synthesis",
      kind: "bridge",
      status: "refused",
      model: this.opts.config.model,
      messages: [...(req.system ? [{ role: "system", content: req.system }] : []), { role: "user", content: req.prompt }],
      error: why,
      meta: { bridge: true },
    });
    this.send(res, 429, { error: why });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.method !== "POST") return this.send(res, 405, { error: "POST a JSON body {system, prompt, max_tokens, temperature}" });
    const chunks: Buffer[] = [];
    let size = 0;
    const limit = (this.opts.maxPromptChars ?? 200_000) * 4 + 4096;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > limit) return this.send(res, 413, { error: `request larger than ${limit} bytes` });
      chunks.push(c as Buffer);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return this.send(res, 400, { error: "the body is not JSON" });
    }
    const body = RequestSchema.parse(raw);
    if (typeof body === "string") return this.send(res, 400, { error: body });
    if ((this.opts.maxPromptChars ?? 200_000) < body.prompt.length + (body.system?.length ?? 0))
      return this.send(res, 413, { error: `prompt longer than ${this.opts.maxPromptChars ?? 200_000} characters` });

    // The budget is checked and the call reserved before any await: concurrent requests from a
    // threaded recipe cannot overshoot it.
    const { budget } = this.opts;
    if (this.reservedCalls >= budget.calls)
      return this.refuse(res, `LLM call budget of this recipe exhausted: ${budget.calls} call(s) allowed, ${this.reservedCalls} made`, body);
    const tokensLeft = budget.tokens - this.usage.total_tokens;
    if (tokensLeft <= 0) return this.refuse(res, `LLM token budget of this recipe exhausted: ${budget.tokens} token(s) allowed, ${this.usage.total_tokens} used`, body);
    this.reservedCalls++;
    const n = this.reservedCalls;

    const cfg: ModelConfig = {
      ...this.opts.config,
      maxTokens: Math.max(1, Math.min(body.max_tokens ?? this.opts.config.maxTokens ?? tokensLeft, tokensLeft)),
      ...(body.temperature !== undefined ? { temperature: body.temperature } : {}),
    };
    try {
      const reply = await this.limiter.run(() =>
        invokeChat(
          { ...(body.system ? { system: body.system } : {}), user: body.prompt },
          {
            config: cfg,
            model: this.opts.model ? this.opts.model(cfg) : chatModelFromConfig(cfg),
            recorder: this.opts.recorder,
            agent: "synthesis",
            meta: { bridge: true, call: n },
            traceMetadata: this.opts.traceMetadata,
          },
        ),
      );
      const text = reply.text;
      const prompt_tokens = reply.usage?.prompt_tokens || Math.ceil(((body.system?.length ?? 0) + body.prompt.length) / 4);
      const completion_tokens = reply.usage?.completion_tokens || Math.ceil(text.length / 4);
      this.usage.calls++;
      this.usage.prompt_tokens += prompt_tokens;
      this.usage.completion_tokens += completion_tokens;
      this.usage.total_tokens += prompt_tokens + completion_tokens;
      this.send(res, 200, { text, usage: { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens } });
    } catch (e) {
      this.usage.failed++;
      const err = e instanceof LlmCallError ? e : new LlmCallError(String(e), "unknown");
      this.send(res, err.kind === "timeout" ? 504 : 502, { error: `${err.kind}: ${err.message}` });
    }
  }
}

export interface RecipeBridgeArgs {
  /** The synthesis model, or null (no bridge: generate_with_llm raises NoModelConfigured). */
  config: ModelConfig | null;
  budget: BridgeBudget;
  /** The run folder: calls go to its trajectory.jsonl. */
  recorder?: TrajectoryRecorder;
  /** Where the recipe runs; a unix socket cannot reach an E2B sandbox. */
  sandboxKind: "local" | "e2b";
  traceMetadata?: Record<string, unknown>;
}

export interface RecipeBridgeHandle {
  /** Environment for the recipe (DATACHEF_LLM_BRIDGE, DATACHEF_LLM_TIMEOUT); empty without a bridge. */
  env: Record<string, string>;
  /** Host paths to bind into a LocalSandbox. */
  bindPaths: { hostPath: string; sandboxPath?: string; readOnly?: boolean }[];
  warnings: string[];
}

/**
 * Runs fn with a bridge for one recipe execution (a fresh budget each time), closed afterwards.
 * Without a synthesis model, or in a sandbox the socket cannot reach, fn runs without one.
 */
export async function withRecipeBridge<T>(args: RecipeBridgeArgs, fn: (handle: RecipeBridgeHandle) => Promise<T>): Promise<{ result: T; usage?: BridgeUsage; warnings: string[] }> {
  if (!args.config) return { result: await fn({ env: {}, bindPaths: [], warnings: [] }), warnings: [] };
  if (args.sandboxKind !== "local") {
    const warnings = ["generate_with_llm is not available in E2B sandboxes (the LLM bridge is a local unix socket); recipes that call it get LLMError"];
    return { result: await fn({ env: {}, bindPaths: [], warnings }), warnings };
  }
  const bridge = await LlmBridge.start({ config: args.config, budget: args.budget, ...(args.recorder ? { recorder: args.recorder } : {}), ...(args.traceMetadata ? { traceMetadata: args.traceMetadata } : {}) });
  try {
    const result = await fn({ env: bridge.env(), bindPaths: bridge.bindPaths(), warnings: [] });
    return { result, usage: { ...bridge.usage }, warnings: [] };
  } finally {
    await bridge.close();
  }
}
