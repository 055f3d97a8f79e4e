/**
 * A loopback OpenAI-compatible chat server for tests (node:http on 127.0.0.1, port 0).
 *
 * - POST /v1/chat/completions, non-streaming and streaming (SSE, with the usage chunk when
 *   `stream_options.include_usage` asks for it);
 * - answers in the shape the request asks for: a forced tool call when `tools` + `tool_choice`
 *   name a function, JSON in `message.content` for `response_format` json_schema/json_object, text
 *   otherwise; a structured reply given as an object is serialised for either shape;
 * - scripted replies matched on the messages (regex or function), used in order, optionally a
 *   bounded number of times; a per-server and per-reply latency;
 * - faults: HTTP 500, a hang (no answer until the client gives up), malformed JSON, an empty body.
 *
 * Every request is kept in `requests` so tests can assert what was sent.
 */
import http from "node:http";
import { LoopbackServer, readBody } from "../../testing/loopback-server.js";

export interface ChatRequestMessage {
  role: string;
  content: unknown;
  tool_calls?: unknown[];
}

export interface ChatRequest {
  model: string;
  messages: ChatRequestMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  response_format?: { type: string; json_schema?: { name?: string; schema?: unknown } };
  tools?: { type: string; function: { name: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  [k: string]: unknown;
}

export type Fault = "http500" | "hang" | "malformed" | "empty" | "http429";

export interface ReplyContext {
  request: ChatRequest;
  /** Text of every message, joined. */
  text: string;
  system: string;
  /** The last user message. */
  user: string;
  /** 0-based count of requests this rule has answered before. */
  uses: number;
}

export interface ScriptedReply {
  /** Matched against all message text (RegExp), or a predicate; absent = matches everything. */
  match?: RegExp | ((ctx: ReplyContext) => boolean);
  /** Text answer (or JSON text for structured requests). */
  content?: string | ((ctx: ReplyContext) => string);
  /** Structured answer: serialised into content (json_schema) or into the tool call's arguments. */
  json?: unknown | ((ctx: ReplyContext) => unknown);
  fault?: Fault;
  /** Extra delay before answering (ms). */
  latencyMs?: number;
  /** How many requests this reply may answer (default unlimited). */
  times?: number;
  /** Reported token usage (default: about 4 characters per token). */
  usage?: { prompt_tokens: number; completion_tokens: number };
  finishReason?: string;
  /** A label for assertions: which scripted reply answered. */
  name?: string;
}

export interface RecordedRequest {
  at: number;
  path: string;
  body: ChatRequest | null;
  /** Name of the scripted reply that answered, if any. */
  reply?: string;
  /** The shape answered: "text", "json_schema", "tool_call", or a fault. */
  shape?: string;
}

export interface OpenAiTestServerOptions {
  replies?: ScriptedReply[];
  /** Delay before every answer (ms). */
  latencyMs?: number;
  /** Characters per SSE content chunk (default 16). */
  chunkChars?: number;
}

interface Rule extends ScriptedReply {
  uses: number;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p) => (p && typeof p === "object" && "text" in p ? String((p as { text: unknown }).text) : "")).join("");
  return "";
}

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The function a request forces, when it forces one. */
function forcedTool(req: ChatRequest): string | undefined {
  if (!req.tools?.length) return undefined;
  const tc = req.tool_choice as { type?: string; function?: { name?: string } } | string | undefined;
  if (tc && typeof tc === "object" && tc.function?.name) return tc.function.name;
  if (tc === "required" || tc === undefined) return req.tools[0]!.function.name;
  return undefined;
}

export class OpenAiTestServer extends LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  private rules: Rule[] = [];
  private readonly hanging = new Set<http.ServerResponse>();
  latencyMs: number;
  private readonly chunkChars: number;
  private counter = 0;

  constructor(opts: OpenAiTestServerOptions = {}) {
    super("/v1");
    this.latencyMs = opts.latencyMs ?? 0;
    this.chunkChars = opts.chunkChars ?? 16;
    this.script(...(opts.replies ?? []));
  }

  /** Adds scripted replies (matched in the order added). */
  script(...replies: ScriptedReply[]): this {
    this.rules.push(...replies.map((r) => ({ ...r, uses: 0 })));
    return this;
  }

  /** Replaces every scripted reply. */
  reset(...replies: ScriptedReply[]): this {
    this.rules = [];
    this.requests.length = 0;
    return this.script(...replies);
  }

  /** Chat completion requests received (excluding other paths). */
  chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith("/chat/completions"));
  }

  override async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.hanging.clear();
    await super.close();
  }

  private pick(ctx: Omit<ReplyContext, "uses">): Rule | undefined {
    for (const rule of this.rules) {
      if (rule.times !== undefined && rule.uses >= rule.times) continue;
      const m = rule.match;
      const ok = !m || (m instanceof RegExp ? m.test(ctx.text) : m({ ...ctx, uses: rule.uses }));
      if (ok) return rule;
    }
    return undefined;
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = (await readBody(req)).toString("utf8");
    const url = req.url ?? "/";
    if (req.method === "GET" && url.endsWith("/models")) {
      this.requests.push({ at: Date.now(), path: url, body: null });
      return this.json(res, 200, { object: "list", data: [{ id: "test-model", object: "model" }] });
    }
    if (req.method !== "POST" || !url.endsWith("/chat/completions")) {
      this.requests.push({ at: Date.now(), path: url, body: null });
      return this.json(res, 404, { error: { message: `no route ${req.method} ${url}` } });
    }
    let body: ChatRequest;
    try {
      body = JSON.parse(raw) as ChatRequest;
    } catch {
      this.requests.push({ at: Date.now(), path: url, body: null });
      return this.json(res, 400, { error: { message: "request body is not JSON" } });
    }
    const record: RecordedRequest = { at: Date.now(), path: url, body };
    this.requests.push(record);
    const messages = body.messages ?? [];
    const base = {
      request: body,
      text: messages.map((m) => textOf(m.content)).join("\n"),
      system: messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => textOf(m.content)).join("\n"),
      user: textOf([...messages].reverse().find((m) => m.role === "user")?.content),
    };
    const rule = this.pick(base);
    const delay = this.latencyMs + (rule?.latencyMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (!rule) {
      record.shape = "unmatched";
      // 400: the OpenAI client does not retry it, so an unscripted call fails fast and visibly
      return this.json(res, 400, { error: { message: "openai-test-server: no scripted reply matches this request", type: "invalid_request_error" } });
    }
    const ctx: ReplyContext = { ...base, uses: rule.uses };
    rule.uses++;
    if (rule.name) record.reply = rule.name;
    if (rule.fault) {
      record.shape = rule.fault;
      return this.fault(res, rule.fault);
    }
    const tool = forcedTool(body);
    const wantsJson = body.response_format?.type === "json_schema" || body.response_format?.type === "json_object";
    const json = typeof rule.json === "function" ? (rule.json as (c: ReplyContext) => unknown)(ctx) : rule.json;
    const content = typeof rule.content === "function" ? rule.content(ctx) : rule.content;
    const text = content ?? (json !== undefined ? JSON.stringify(json) : "");
    const usage = rule.usage ?? { prompt_tokens: estimateTokens(base.text), completion_tokens: estimateTokens(text) };
    const fullUsage = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
    const id = `chatcmpl-test-${++this.counter}`;
    const model = body.model ?? "test-model";
    if (tool) {
      record.shape = "tool_call";
      const args = json !== undefined ? JSON.stringify(json) : text;
      const call = { id: `call_${this.counter}`, type: "function", function: { name: tool, arguments: args } };
      if (body.stream) return this.streamTool(res, id, model, call, body.stream_options?.include_usage ? fullUsage : undefined);
      return this.json(res, 200, {
        id,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [call] }, finish_reason: "tool_calls" }],
        usage: fullUsage,
      });
    }
    record.shape = wantsJson ? "json_schema" : "text";
    const finish = rule.finishReason ?? "stop";
    if (body.stream) return this.streamText(res, id, model, text, finish, body.stream_options?.include_usage ? fullUsage : undefined);
    return this.json(res, 200, {
      id,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finish }],
      usage: fullUsage,
    });
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    const data = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
    res.end(data);
  }

  private fault(res: http.ServerResponse, fault: Fault): void {
    switch (fault) {
      case "http500":
        return this.json(res, 500, { error: { message: "scripted internal server error", type: "server_error" } });
      case "http429":
        return this.json(res, 429, { error: { message: "scripted rate limit", type: "rate_limit" } });
      case "malformed": {
        const data = '{"id": "chatcmpl-broken", "choices": [{"message": {"role": "assistant", "content": "unterminated';
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
        res.end(data);
        return;
      }
      case "empty":
        res.writeHead(200, { "content-type": "application/json", "content-length": 0 });
        res.end();
        return;
      case "hang":
        // headers never sent: the client's timeout is the only way out
        this.hanging.add(res);
        res.on("close", () => this.hanging.delete(res));
        return;
    }
  }

  private sse(res: http.ServerResponse): (data: unknown) => void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    return (data) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  }

  private chunk(id: string, model: string, delta: unknown, finish: string | null = null) {
    return { id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, delta, finish_reason: finish }] };
  }

  private streamText(res: http.ServerResponse, id: string, model: string, text: string, finish: string, usage?: object): void {
    const send = this.sse(res);
    send(this.chunk(id, model, { role: "assistant", content: "" }));
    for (let i = 0; i < text.length; i += this.chunkChars) send(this.chunk(id, model, { content: text.slice(i, i + this.chunkChars) }));
    send(this.chunk(id, model, {}, finish));
    if (usage) send({ id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [], usage });
    send("[DONE]");
    res.end();
  }

  private streamTool(res: http.ServerResponse, id: string, model: string, call: { id: string; function: { name: string; arguments: string } }, usage?: object): void {
    const send = this.sse(res);
    send(this.chunk(id, model, { role: "assistant", content: null, tool_calls: [{ index: 0, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } }] }));
    const args = call.function.arguments;
    for (let i = 0; i < args.length; i += this.chunkChars) send(this.chunk(id, model, { tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + this.chunkChars) } }] }));
    send(this.chunk(id, model, {}, "tool_calls"));
    if (usage) send({ id, object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model, choices: [], usage });
    send("[DONE]");
    res.end();
  }
}

/** Starts a server; `await using`-free helper for tests: remember to close() it. */
export async function startOpenAiTestServer(opts: OpenAiTestServerOptions = {}): Promise<OpenAiTestServer> {
  const s = new OpenAiTestServer(opts);
  await s.start();
  return s;
}
