/**
 * The LLM judge: the paper's five-grade rubric as a prompt, one call per sampled record, the
 * analysis first and a boxed grade last. Calls run concurrently under the judge's concurrency
 * limit. A reply with no readable grade is asked once more (a short follow-up turn); if it still
 * has none the sample is counted as `unparsed` and the grade() call fails with
 * JudgeUnparsedError, so the verifier leaves it out of the mean instead of scoring it.
 */
import type { ChatOpenAI } from "@langchain/openai";
import type { ModelConfig } from "../../src/llm/config.js";
import { invokeText, LlmCallError, type PromptMessages } from "../../src/llm/call.js";
import { describeContract, formatBenchmarkExamples } from "../../src/llm/context.js";
import { Limiter } from "../../src/llm/limit.js";
import { parseJudgeReply } from "../../src/llm/parse.js";
import { renderChatPrompt, type PromptVars } from "../../src/llm/prompts.js";
import type { TrajectoryRecorder } from "../../src/llm/recorder.js";
import type { Judge, JudgeContext, JudgeSample, JudgeVerdict } from "../../src/verify/types.js";
import { agentModel, runRecorder, traceMetadataFor, type PolicyRunContext } from "../../src/llm/policy.js";
import type { TaskSpec } from "../../src/task/spec.js";

export class JudgeUnparsedError extends Error {
  override name = "JudgeUnparsedError";
  constructor(
    message: string,
    readonly reply: string,
  ) {
    super(message);
  }
}

export interface LlmJudgeOptions {
  config: ModelConfig;
  recorder?: TrajectoryRecorder;
  /** Shown to the judge; JudgeContext carries only the instruction. */
  benchmark?: { name?: string; description?: string; metric?: string };
  /** Benchmark records shown as examples (default 3). */
  examples?: number;
  /** Longest text of one turn shown (default 6000 characters). */
  maxTurnChars?: number;
  traceMetadata?: Record<string, unknown>;
  signal?: AbortSignal;
  model?: ChatOpenAI;
}

export interface JudgeStats {
  /** Samples that got a grade. */
  graded: number;
  /** Samples whose replies named no grade, twice. */
  unparsed: number;
  /** Samples whose calls failed (HTTP error, timeout, ...). */
  errors: number;
  /** Replies that needed the follow-up to name a grade. */
  reasked: number;
  calls: number;
}

const FOLLOW_UP =
  "Your reply did not end with the grade in the required form. Reply with only the final line: `Grade: \\boxed{<A|B|C|D|E>} Reason: <one sentence>`.";

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}\n… [${text.length - max} more characters not shown]` : text;
}

export class LlmJudge implements Judge {
  readonly name: string;
  readonly stats: JudgeStats = { graded: 0, unparsed: 0, errors: 0, reasked: 0, calls: 0 };
  readonly limiter: Limiter;
  private readonly varsByContext = new WeakMap<JudgeContext, PromptVars>();

  constructor(private readonly opts: LlmJudgeOptions) {
    this.name = `llm:${opts.config.model}`;
    this.limiter = new Limiter(opts.config.concurrency);
  }

  /** The prompt variables shared by every sample of one verification (formatted once, not per call). */
  private contextVars(ctx: JudgeContext): PromptVars {
    let vars = this.varsByContext.get(ctx);
    if (!vars) {
      const b = this.opts.benchmark ?? {};
      vars = {
        instruction: ctx.instruction ?? "(not given)",
        benchmark_name: b.name ?? "(unnamed)",
        benchmark_description: b.description ?? "(no description)",
        metric: b.metric ?? "(not stated)",
        contract: describeContract(ctx.contract),
        benchmark_examples: formatBenchmarkExamples(ctx.benchmarkRecords.slice(0, this.opts.examples ?? 3) as Record<string, unknown>[]),
      };
      this.varsByContext.set(ctx, vars);
    }
    return vars;
  }

  /** The judge's prompt for one sample. */
  prompt(sample: JudgeSample, ctx: JudgeContext): PromptMessages {
    const max = this.opts.maxTurnChars ?? 6000;
    const turns = sample.messages.map((m) => `[${m.role}]\n${clip(m.content, max)}`).join("\n\n");
    return renderChatPrompt("judge", { ...this.contextVars(ctx), sample: turns, feedback: "" });
  }

  async grade(sample: JudgeSample, ctx: JudgeContext): Promise<JudgeVerdict> {
    return this.limiter.run(() => this.gradeNow(sample, ctx));
  }

  private async gradeNow(sample: JudgeSample, ctx: JudgeContext): Promise<JudgeVerdict> {
    const prompt = this.prompt(sample, ctx);
    const call = (p: PromptMessages, retry: number) => {
      this.stats.calls++;
      return invokeText(p, {
        config: this.opts.config,
        recorder: this.opts.recorder,
        agent: "judge",
        meta: { sample_index: sample.index, line: sample.line, retry },
        traceMetadata: this.opts.traceMetadata,
        signal: this.opts.signal,
        model: this.opts.model,
      });
    };
    try {
      const first = await call(prompt, 0);
      let parsed = parseJudgeReply(first);
      let reply = first;
      if (!parsed) {
        this.stats.reasked++;
        reply = await call({ ...prompt, turns: [{ role: "assistant", content: first }, { role: "user", content: FOLLOW_UP }] }, 1);
        parsed = parseJudgeReply(reply);
      }
      if (!parsed) {
        this.stats.unparsed++;
        throw new JudgeUnparsedError(`unparsed: the judge's reply names no grade, also after a follow-up: ${JSON.stringify(reply.slice(-200))}`, reply);
      }
      this.stats.graded++;
      const analysis = parsed.analysis.replace(/\s+/g, " ").trim();
      return { grade: parsed.grade, reason: parsed.reason, ...(analysis ? { notes: [`analysis: ${clip(analysis, 600)}`] } : {}) };
    } catch (e) {
      if (e instanceof JudgeUnparsedError) throw e;
      this.stats.errors++;
      if (e instanceof LlmCallError) throw new LlmCallError(`judge call failed (${e.kind}): ${e.message}`, e.kind, e.status);
      throw e;
    }
  }

  /** Grades many samples (at most `config.concurrency` in flight); failures come back as errors. */
  async gradeMany(samples: JudgeSample[], ctx: JudgeContext): Promise<(JudgeVerdict | { error: string; unparsed: boolean })[]> {
    return Promise.all(
      samples.map((s) =>
        this.grade(s, ctx).catch((e: Error) => ({ error: e.message, unparsed: e instanceof JudgeUnparsedError })),
      ),
    );
  }
}

/**
 * The judge of a run: the LLM judge when the run context or environment names a judge model,
 * else undefined (the verifier's built-in rule judge). Its calls go to the run's trajectory.
 */
export function judgeForRun(args: {
  ctx: PolicyRunContext;
  spec: Pick<TaskSpec, "id" | "benchmark">;
  workDir?: string;
  env?: Record<string, string | undefined>;
}): LlmJudge | undefined {
  const config = agentModel("judge", args.ctx, args.env);
  if (!config) return undefined;
  const b = args.spec.benchmark;
  return new LlmJudge({
    config,
    ...(args.workDir ? { recorder: runRecorder(args.workDir, { task: args.spec.id, seed: args.ctx.seed }) } : {}),
    benchmark: { name: b.name ?? b.id, ...(b.description ? { description: b.description } : {}), ...(b.metric ? { metric: b.metric } : {}) },
    examples: b.examples ?? 3,
    traceMetadata: traceMetadataFor(args.spec.id, args.ctx, args.env),
  });
}
