/**
 * The reward server: datachef as the environment of an online GRPO trainer (OpenRLHF, verl).
 *
 *   POST /get_reward  {query: string[], prompts?: string[], labels?: string[]}
 *                  -> {rewards: number[], scores: number[], extra_logs: {name: number[]}}
 *   GET  /health
 *
 * OpenRLHF's remote reward protocol: `query` is prompt + response, `prompts` the prompt, `labels`
 * the dataset's label column (here: the task instance id the prompt dataset carries). Each
 * completion (a plan plus recipe.py and check.py, the chef format) is parsed, run in the sandbox
 * for its instance and verified; `rewards` are the verifier rewards (penalties included),
 * `scores` the 0..1 mean sample score (0 for a failed run), for dynamic filtering.
 *
 * Completions run concurrently under one limit for the whole server; a request that is not done
 * by its deadline gets the execution penalty for what is left (the trainer times out at 180 s).
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RecipeContext } from "../../graphs/state.js";
import { parseChefCompletion } from "../llm/parse.js";
import { Limiter } from "../llm/limit.js";
import { DEFAULT_PENALTIES } from "../verify/types.js";
import { InstanceError, instanceView, parseInstanceId, PreparedTaskCache, resolveInstance, taskRegistry } from "./instances.js";
import { runRecipe } from "./recipe-runner.js";
import type { TaskInstance } from "./types.js";

export interface RewardServerOptions {
  /** Task spec files or folders: the tasks labels may name. */
  tasks: string[];
  host?: string;
  port?: number;
  /** Completions executed at once, across all requests (default 2). */
  concurrency?: number;
  /** Deadline of one request (default 150 s, under OpenRLHF's 180 s client timeout). */
  timeoutMs?: number;
  /** Largest request body (default 32 MB). */
  maxBodyBytes?: number;
  /** Recipe run settings: samples, seed, sandbox, maxAttempts (default 1: the policy's code is scored as written), wallSeconds. */
  context?: Partial<RecipeContext>;
  log?: (line: string) => void;
}

export type ItemStatus = "ok" | "empty" | "format_error" | "contaminated" | "execution_error" | "parse_error" | "timeout";

export interface ItemResult {
  reward: number;
  score: number;
  status: ItemStatus;
  instanceId: string;
  records: number;
  latencyMs: number;
  reason?: string;
}

export class RequestError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface RewardRequest {
  query: string[];
  prompts?: string[];
  labels?: (string | null)[];
}

/** Validates a request body; errors name the field and index. */
export function parseRewardRequest(body: unknown): RewardRequest {
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new RequestError("the body must be a JSON object with a 'query' array");
  const b = body as Record<string, unknown>;
  if (!Array.isArray(b.query)) throw new RequestError("'query' must be an array of strings (prompt + response)");
  if (!b.query.length) throw new RequestError("'query' is empty");
  const n = b.query.length;
  const strings = (name: string, v: unknown, nullable = false) => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw new RequestError(`'${name}' must be an array`);
    if (v.length !== n) throw new RequestError(`'${name}' has ${v.length} entries but 'query' has ${n}`);
    v.forEach((x, i) => {
      if (typeof x !== "string" && !(nullable && x === null)) throw new RequestError(`${name}[${i}] must be a string${nullable ? " or null" : ""}`);
    });
    return v as string[];
  };
  strings("query", b.query);
  return { query: b.query as string[], prompts: strings("prompts", b.prompts), labels: strings("labels", b.labels, true) };
}

/** The response part of `query`: after the prompt when given, else after the last assistant marker. */
export function responseOf(query: string, prompt?: string): string {
  if (prompt) {
    if (query.startsWith(prompt)) return query.slice(prompt.length);
    const at = query.lastIndexOf(prompt);
    if (at >= 0) return query.slice(at + prompt.length);
  }
  const markers = ["<|im_start|>assistant", "<|start_header_id|>assistant<|end_header_id|>", "<|assistant|>", "[/INST]", "<start_of_turn>model", "### Assistant:", "Assistant:"];
  let best = -1;
  let len = 0;
  for (const m of markers) {
    const i = query.lastIndexOf(m);
    if (i > best) {
      best = i;
      len = m.length;
    }
  }
  const out = best >= 0 ? query.slice(best + len) : query;
  return out.replace(/<\|im_end\|>|<\|eot_id\|>|<\/s>|<end_of_turn>|<\|endoftext\|>/g, "");
}

/** The instance a prompt was made for (the chef prompt names the task and its sources). */
export function instanceFromPrompt(text: string): string | undefined {
  const task = /## Task `([^`]+)`/.exec(text)?.[1];
  if (!task) return undefined;
  const sources = /## Candidate sources \(([^)]*)\)/.exec(text)?.[1];
  const ids = sources?.split(",").map((s) => s.trim()).filter(Boolean);
  return ids?.length ? `${task}@${ids.join("+")}` : task;
}

export class RewardServer {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly registry: Map<string, string>;
  private readonly cache = new PreparedTaskCache();
  private readonly limiter: Limiter;
  private readonly timeoutMs: number;
  private readonly maxBody: number;
  private closing = false;
  private inFlight = 0;
  private idle?: () => void;
  readonly counters = { requests: 0, items: 0, rejected: 0, timeouts: 0 };
  url = "";

  constructor(private readonly opts: RewardServerOptions) {
    this.registry = taskRegistry(opts.tasks);
    if (!this.registry.size) throw new InstanceError("no task specs found");
    this.limiter = new Limiter(opts.concurrency ?? 2);
    this.timeoutMs = opts.timeoutMs ?? 150_000;
    this.maxBody = opts.maxBodyBytes ?? 32 * 1024 * 1024;
  }

  get tasks(): string[] {
    return [...this.registry.keys()];
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    const host = this.opts.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.opts.port ?? 0, host, () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    return this.url;
  }

  /** Prepares every task now (staging, profiling), so first requests are not slower. */
  async warm(): Promise<void> {
    for (const file of this.registry.values()) await this.cache.get(file, this.prepareKey());
  }

  /** Stops accepting, lets requests in flight finish (at most `graceMs`), then closes. */
  async close(graceMs = this.timeoutMs): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.inFlight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((r) => (this.idle = r)), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      // let the last response flush before the sockets go
      await new Promise((r) => setImmediate(r));
    }
    for (const s of this.sockets) s.end();
    setTimeout(() => this.sockets.forEach((s) => s.destroy()), 1000).unref();
    await closed;
  }

  private prepareKey() {
    const c = this.opts.context ?? {};
    return { ngram: c.ngram ?? 13, seed: c.seed ?? 0 };
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    const data = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(data) });
    res.end(data);
  }

  private async readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > this.maxBody) throw new RequestError(`the body is larger than ${this.maxBody} bytes`, 413);
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = (req.url ?? "/").split("?")[0]!;
    if (req.method === "GET" && (url === "/health" || url === "/")) {
      return this.send(res, this.closing ? 503 : 200, { status: this.closing ? "closing" : "ok", tasks: this.tasks, in_flight: this.inFlight, ...this.counters });
    }
    if (url !== "/get_reward") return this.send(res, 404, { error: `no route ${req.method} ${url}; POST /get_reward or GET /health` });
    if (req.method !== "POST") return this.send(res, 405, { error: "use POST /get_reward" });
    if (this.closing) return this.send(res, 503, { error: "the server is shutting down" });
    this.inFlight++;
    this.counters.requests++;
    try {
      let body: unknown;
      try {
        body = JSON.parse(await this.readBody(req));
      } catch (e) {
        if (e instanceof RequestError) throw e;
        throw new RequestError(`the body is not valid JSON (${(e as Error).message})`);
      }
      const request = parseRewardRequest(body);
      const instances = request.query.map((q, i) => this.instanceOf(request, i));
      const results = await this.score(request, instances);
      this.send(res, 200, {
        rewards: results.map((r) => r.reward),
        scores: results.map((r) => r.score),
        extra_logs: {
          executed: results.map((r) => (r.status === "ok" ? 1 : 0)),
          parsed: results.map((r) => (r.status === "parse_error" ? 0 : 1)),
          timed_out: results.map((r) => (r.status === "timeout" ? 1 : 0)),
          records: results.map((r) => r.records),
          latency_s: results.map((r) => r.latencyMs / 1000),
        },
        statuses: results.map((r) => r.status),
        instances: results.map((r) => r.instanceId),
      });
    } catch (e) {
      if (e instanceof RequestError) {
        this.counters.rejected++;
        this.send(res, e.status, { error: e.message });
      } else {
        this.opts.log?.(`internal error: ${(e as Error).stack ?? e}`);
        this.send(res, 500, { error: `internal error: ${(e as Error).message}` });
      }
    } finally {
      if (--this.inFlight === 0) this.idle?.();
    }
  }

  private instanceOf(request: RewardRequest, i: number): TaskInstance {
    const label = request.labels?.[i];
    const id = label && label.trim() ? label.trim() : instanceFromPrompt(request.prompts?.[i] ?? request.query[i]!);
    if (!id) throw new RequestError(`labels[${i}] is missing and the prompt names no task: send the instance id (the prompt dataset's label)`);
    try {
      return resolveInstance(id, this.registry);
    } catch (e) {
      if (e instanceof InstanceError) throw new RequestError(`${label ? `labels[${i}]` : `prompt ${i}`} '${parseInstanceId(id).taskId}': ${e.message}`);
      throw e;
    }
  }

  private async score(request: RewardRequest, instances: TaskInstance[]): Promise<ItemResult[]> {
    const abort = new AbortController();
    const deadline = Date.now() + this.timeoutMs;
    const t0 = Date.now();
    const timeoutResult = (i: number): ItemResult => ({ reward: DEFAULT_PENALTIES.execution, score: 0, status: "timeout", instanceId: instances[i]!.instanceId, records: 0, latencyMs: Date.now() - t0, reason: `not scored within the request deadline (${this.timeoutMs} ms)` });
    const results: (ItemResult | undefined)[] = new Array(instances.length).fill(undefined);
    const work = instances.map((inst, i) =>
      this.limiter
        .run(async () => {
          if (abort.signal.aborted || Date.now() >= deadline) return timeoutResult(i);
          return this.scoreOne(responseOf(request.query[i]!, request.prompts?.[i]), inst, abort.signal);
        })
        .catch((e) => ({ reward: DEFAULT_PENALTIES.execution, score: 0, status: "execution_error" as const, instanceId: inst.instanceId, records: 0, latencyMs: Date.now() - t0, reason: (e as Error).message }))
        .then((r) => (results[i] = r)),
    );
    this.counters.items += instances.length;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(work), new Promise<void>((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
    clearTimeout(timer);
    if (results.some((r) => !r)) {
      abort.abort();
      this.counters.timeouts += results.filter((r) => !r).length;
    }
    return results.map((r, i) => r ?? timeoutResult(i));
  }

  private async scoreOne(completion: string, inst: TaskInstance, signal: AbortSignal): Promise<ItemResult> {
    const t0 = Date.now();
    const view = instanceView(await this.cache.get(inst.taskPath, this.prepareKey()), inst.sources);
    if (signal.aborted) throw new Error("the request's deadline passed before this completion could run");
    const parsed = parseChefCompletion(completion, { knownSources: inst.sources, maxRecords: view.loaded.maxRecords });
    if ("error" in parsed) return { reward: DEFAULT_PENALTIES.execution, score: 0, status: "parse_error", instanceId: inst.instanceId, records: 0, latencyMs: Date.now() - t0, reason: parsed.error };
    const outDir = mkdtempSync(path.join(os.tmpdir(), "datachef-reward-"));
    try {
      const ctx = this.opts.context ?? {};
      const state = await runRecipe({
        view,
        outDir,
        after: "approve",
        given: { plan: parsed.plan, planMd: parsed.planMd, recipe: parsed.recipe, check: parsed.check },
        // the run folder is deleted once scored: no report.html
        context: { maxAttempts: 1, wallSeconds: Math.min(120, Math.max(5, this.timeoutMs / 1000 - 10)), ...ctx, approve: false, reportHtml: false },
        metadata: { reward_server: true, instance_id: inst.instanceId },
        signal,
      });
      const rep = state.report!;
      return { reward: rep.reward, score: rep.status === "ok" ? rep.verifier.mean_score : 0, status: rep.status, instanceId: inst.instanceId, records: rep.records, latencyMs: Date.now() - t0, ...(rep.reason ? { reason: rep.reason } : {}) };
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }
}
