/**
 * The trajectory recorder: every LLM call of a run, in order, with what went in and what came
 * out. It is a LangChain callback handler, so structured-output calls, streamed calls, retries
 * and failed calls are all seen at the one place every chat model reports to; the LLM bridge
 * adds the calls it refused (budget) with `note`.
 *
 * With a `file`, each finished call is appended to it at once (trajectory.jsonl): a run that dies
 * half-way still keeps the calls it paid for. This is what the GRPO collector exports.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import type { BaseMessage } from "@langchain/core/messages";
import type { LLMResult } from "@langchain/core/outputs";
import { FileMemo, inodeStamp } from "../data/file-memo.js";

export interface RecordedMessage {
  role: "system" | "user" | "assistant" | "tool" | string;
  content: string;
  tool_calls?: { name: string; args: unknown }[];
  tool_call_id?: string;
}

export interface TokenUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface LlmCallRecord {
  /** Position of the call's start in the run (within the recorder's file, or the recorder). */
  seq: number;
  /** planner, coder, chef, judge, synthesis, ... */
  agent: string;
  /** "chat" for calls through a chat model, "bridge" for recipe-side calls the bridge refused. */
  kind: "chat" | "bridge";
  status: "ok" | "error" | "refused";
  model?: string;
  startedAt: string;
  latencyMs: number;
  messages: RecordedMessage[];
  /** Request parameters that shape the answer: temperature, max_tokens, response_format, tools. */
  params?: Record<string, unknown>;
  response?: RecordedMessage & { finish_reason?: string };
  usage?: TokenUsage;
  error?: string;
  /** Free-form context (task id, attempt, retry number, sample index, ...). */
  meta?: Record<string, unknown>;
  runId?: string;
}

interface Pending {
  seq: number;
  t0: number;
  record: Omit<LlmCallRecord, "latencyMs" | "status">;
}

export interface RecorderOptions {
  /** Append each finished call to this JSONL file (folders created). */
  file?: string;
  /** Agent name for calls that carry none in their metadata. */
  defaultAgent?: string;
  /** Merged into every record's meta (e.g. task id, seed). */
  meta?: Record<string, unknown>;
}

const ROLE: Record<string, string> = { human: "user", ai: "assistant", system: "system", tool: "tool", generic: "user", function: "tool" };

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((p) => (typeof p === "string" ? p : p && typeof p === "object" && "text" in p ? String((p as { text: unknown }).text) : JSON.stringify(p)))
      .join("");
  return content === undefined || content === null ? "" : JSON.stringify(content);
}

function messageType(m: BaseMessage): string {
  const any = m as unknown as { getType?: () => string; _getType?: () => string; type?: string };
  return any.getType?.() ?? any._getType?.() ?? any.type ?? "generic";
}

export function toRecordedMessage(m: BaseMessage): RecordedMessage {
  const out: RecordedMessage = { role: ROLE[messageType(m)] ?? messageType(m), content: contentText(m.content) };
  const calls = (m as unknown as { tool_calls?: { name: string; args: unknown }[] }).tool_calls;
  if (calls?.length) out.tool_calls = calls.map((c) => ({ name: c.name, args: c.args }));
  const id = (m as unknown as { tool_call_id?: string }).tool_call_id;
  if (id) out.tool_call_id = id;
  return out;
}

/** The request parameters worth keeping (never credentials). */
function paramsOf(extra: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  const inv = (extra?.invocation_params ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ["model", "temperature", "max_tokens", "max_completion_tokens", "top_p", "stream", "tool_choice"]) if (inv[k] !== undefined) out[k] = inv[k];
  const rf = inv.response_format as { type?: string; json_schema?: { name?: string } } | undefined;
  if (rf) out.response_format = rf.json_schema?.name ? { type: rf.type, name: rf.json_schema.name } : { type: rf.type };
  const tools = inv.tools as { function?: { name?: string } }[] | undefined;
  if (Array.isArray(tools) && tools.length) out.tools = tools.map((t) => t.function?.name ?? "?");
  return Object.keys(out).length ? out : undefined;
}

function usageOf(output: LLMResult): TokenUsage | undefined {
  const gen = output.generations?.[0]?.[0] as { message?: { usage_metadata?: { input_tokens?: number; output_tokens?: number; total_tokens?: number } } } | undefined;
  const um = gen?.message?.usage_metadata;
  if (um && (um.input_tokens || um.output_tokens)) {
    const p = um.input_tokens ?? 0;
    const c = um.output_tokens ?? 0;
    return { prompt_tokens: p, completion_tokens: c, total_tokens: um.total_tokens ?? p + c };
  }
  const tu = (output.llmOutput?.tokenUsage ?? output.llmOutput?.estimatedTokenUsage) as { promptTokens?: number; completionTokens?: number; totalTokens?: number } | undefined;
  if (tu && (tu.promptTokens || tu.completionTokens)) {
    const p = tu.promptTokens ?? 0;
    const c = tu.completionTokens ?? 0;
    return { prompt_tokens: p, completion_tokens: c, total_tokens: tu.totalTokens ?? p + c };
  }
  return undefined;
}

function responseOf(output: LLMResult): LlmCallRecord["response"] {
  const gen = output.generations?.[0]?.[0] as { text?: string; message?: BaseMessage; generationInfo?: Record<string, unknown> } | undefined;
  if (!gen) return { role: "assistant", content: "" };
  const base = gen.message ? toRecordedMessage(gen.message) : { role: "assistant", content: gen.text ?? "" };
  const meta = (gen.message as unknown as { response_metadata?: Record<string, unknown> } | undefined)?.response_metadata;
  const finish = (gen.generationInfo?.finish_reason ?? meta?.finish_reason) as string | undefined;
  return finish ? { ...base, finish_reason: finish } : base;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 2000);
  return String(err).slice(0, 2000);
}

export class TrajectoryRecorder extends BaseCallbackHandler {
  name = "datachef_trajectory_recorder";
  /** Records must be complete when invoke() returns, not after a background flush. */
  override awaitHandlers = true;
  private seq = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly done: LlmCallRecord[] = [];

  constructor(private readonly opts: RecorderOptions = {}) {
    super();
    // Several recorders write one run's file (planner, coder, judge, bridge): numbering goes on
    // from the calls already there, so `seq` is the run-wide order.
    if (opts.file && existsSync(opts.file)) this.seq = readFileSync(opts.file, "utf8").split("\n").filter((l) => l.trim()).length;
  }

  get file(): string | undefined {
    return this.opts.file;
  }

  override handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Record<string, unknown>,
    runName?: string,
  ): void {
    const agent = (metadata?.agent as string | undefined) ?? tags?.find((t) => t.startsWith("agent:"))?.slice(6) ?? this.opts.defaultAgent ?? runName ?? "unknown";
    const params = paramsOf(extraParams);
    const model = (metadata?.ls_model_name as string | undefined) ?? (params?.model as string | undefined) ?? (llm as { kwargs?: { model?: string } }).kwargs?.model;
    const callMeta = metadata?.call_meta as Record<string, unknown> | undefined;
    const meta = { ...this.opts.meta, ...callMeta };
    this.pending.set(runId, {
      seq: this.seq++,
      t0: Date.now(),
      record: {
        seq: 0,
        agent,
        kind: "chat",
        ...(model ? { model } : {}),
        startedAt: new Date().toISOString(),
        messages: (messages[0] ?? []).map(toRecordedMessage),
        ...(params ? { params } : {}),
        ...(Object.keys(meta).length ? { meta } : {}),
        runId,
      },
    });
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const p = this.pending.get(runId);
    if (!p) return;
    this.pending.delete(runId);
    const usage = usageOf(output);
    if (!output.generations?.[0]?.[0]) {
      // an empty or foreign response body: the chat model itself fails right after this
      this.finish({ ...p.record, seq: p.seq, status: "error", latencyMs: Date.now() - p.t0, error: "the response held no completion", ...(usage ? { usage } : {}) });
      return;
    }
    this.finish({ ...p.record, seq: p.seq, status: "ok", latencyMs: Date.now() - p.t0, response: responseOf(output), ...(usage ? { usage } : {}) });
  }

  override handleLLMError(err: unknown, runId: string): void {
    const p = this.pending.get(runId);
    if (!p) return;
    this.pending.delete(runId);
    this.finish({ ...p.record, seq: p.seq, status: "error", latencyMs: Date.now() - p.t0, error: errorText(err) });
  }

  /** Adds a call that never reached a model (e.g. refused by the bridge's budget). */
  note(record: Omit<LlmCallRecord, "seq" | "startedAt" | "latencyMs"> & { startedAt?: string; latencyMs?: number }): void {
    const meta = { ...this.opts.meta, ...record.meta };
    this.finish({
      ...record,
      seq: this.seq++,
      startedAt: record.startedAt ?? new Date().toISOString(),
      latencyMs: record.latencyMs ?? 0,
      ...(Object.keys(meta).length ? { meta } : {}),
    });
  }

  private finish(record: LlmCallRecord): void {
    this.done.push(record);
    if (this.opts.file) {
      const line = JSON.stringify(record) + "\n";
      try {
        appendFileSync(this.opts.file, line);
      } catch (e) {
        // the folder is created on the first call only (a judge records a hundred calls)
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        mkdirSync(path.dirname(this.opts.file), { recursive: true });
        appendFileSync(this.opts.file, line);
      }
    }
  }

  /** Finished calls in the order they started. */
  records(): LlmCallRecord[] {
    return [...this.done].sort((a, b) => a.seq - b.seq);
  }

  /** Calls still in flight (should be none once every invoke has returned). */
  inFlight(): number {
    return this.pending.size;
  }

  /** Token totals over the finished calls. */
  usage(): TokenUsage & { calls: number } {
    const out = { calls: this.done.length, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
    for (const r of this.done) {
      out.prompt_tokens += r.usage?.prompt_tokens ?? 0;
      out.completion_tokens += r.usage?.completion_tokens ?? 0;
      out.total_tokens += r.usage?.total_tokens ?? 0;
    }
    return out;
  }

  toJsonl(): string {
    return this.records().map((r) => JSON.stringify(r) + "\n").join("");
  }
}

/**
 * Reads a trajectory.jsonl back in the order the calls started (lines are appended as calls
 * finish, so concurrent judge calls may be out of order in the file), skipping a torn last line
 * of a killed run.
 */
export function readTrajectory(file: string): LlmCallRecord[] {
  if (!existsSync(file)) return [];
  // a rollout reads its trajectory twice (report, then rollout record), across the publish rename
  return [...trajectories.get([file], "", () => parseTrajectory(file))];
}

const trajectories = new FileMemo<LlmCallRecord[]>(8, inodeStamp);

function parseTrajectory(file: string): LlmCallRecord[] {
  const out: LlmCallRecord[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as LlmCallRecord);
    } catch {
      // a torn line from a killed process: the others are still good
    }
  }
  return out.map((r, i) => ({ r, i })).sort((a, b) => a.r.seq - b.r.seq || a.i - b.i).map((x) => x.r);
}
