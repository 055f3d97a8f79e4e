/**
 * `datachef chat`: a terminal REPL on the chat graph, checkpointed in SQLite so `--thread ID`
 * picks a conversation up again after the process died (even by kill -9). Plans are approved
 * inline: approve, reject, "use only a, b", or a question about a source.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { HumanMessage } from "@langchain/core/messages";
import { Command } from "@langchain/langgraph";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { chatContext, chatGraphBuilder, type ChatContext } from "../../graphs/chat.js";
import { explainSource, planForApproval } from "../../agents/chat/answers.js";
import { parseRequest } from "../../agents/chat/parse.js";
import type { Plan } from "../../agents/planner/plan.js";
import { normalizeApproval } from "../recipe/approval.js";
import { isProgressEvent } from "../recipe/progress.js";
import { flushTracing } from "../llm/tracing.js";
import { ProgressDisplay } from "./progress.js";
import { CliError } from "./errors.js";

export interface ChatCliOptions {
  thread?: string;
  db: string;
  tasksDir: string;
  runsDir: string;
  seed: number;
  samples: number;
  policy: string;
  sandbox: "auto" | "local" | "e2b";
  maxAttempts: number;
  autoApprove?: boolean;
  model?: string;
  baseUrl?: string;
}

interface Pending {
  plan?: Plan;
  planMd?: string;
}

type Out = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** A line reader that resolves null at end of input. */
class Prompter {
  private readonly rl: readline.Interface;
  private closed = false;
  private readonly lines: string[] = [];
  private waiting?: (line: string | null) => void;

  constructor(input: NodeJS.ReadableStream, private readonly output: Out) {
    this.rl = readline.createInterface({ input, output, terminal: !!(output as { isTTY?: boolean }).isTTY });
    this.rl.on("line", (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      } else this.lines.push(line);
    });
    this.rl.on("close", () => {
      this.closed = true;
      this.waiting?.(null);
      this.waiting = undefined;
    });
    this.rl.on("SIGINT", () => this.rl.close());
  }

  ask(prompt: string): Promise<string | null> {
    if (this.lines.length) {
      this.output.write(prompt + this.lines[0] + "\n");
      return Promise.resolve(this.lines.shift()!);
    }
    if (this.closed) return Promise.resolve(null);
    this.rl.setPrompt(prompt);
    this.rl.prompt();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  close(): void {
    this.rl.close();
  }
}

/** Messages print without markdown code fences (they are for Studio's renderer). */
export function terminalText(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^```/.test(l.trim()))
    .join("\n");
}

export async function chatCommand(opts: ChatCliOptions): Promise<number> {
  if (!["auto", "local", "e2b"].includes(opts.sandbox)) throw new CliError(`--sandbox ${opts.sandbox}: expected auto, local or e2b`);
  if (opts.policy !== "builtin" && !existsSync(opts.policy)) throw new CliError(`--policy ${opts.policy}: expected 'builtin' or an existing policy.json`);
  try {
    return await runChat(opts, process.stdin, process.stdout, process.stderr);
  } finally {
    await flushTracing();
  }
}

export async function runChat(opts: ChatCliOptions, input: NodeJS.ReadableStream, out: Out, err: Out): Promise<number> {
  mkdirSync(path.dirname(path.resolve(opts.db)), { recursive: true });
  let saver: SqliteSaver;
  try {
    saver = SqliteSaver.fromConnString(opts.db);
  } catch (e) {
    throw new CliError(`--db ${opts.db}: cannot open the chat database (${(e as Error).message})`);
  }
  const graph = chatGraphBuilder.compile({ checkpointer: saver, name: "chat" });
  const threadId = opts.thread ?? randomUUID().slice(0, 8);
  const context: ChatContext = chatContext({
    tasksDir: opts.tasksDir,
    runsDir: opts.runsDir,
    seed: opts.seed,
    samples: opts.samples,
    policy: opts.policy,
    sandbox: opts.sandbox,
    maxAttempts: opts.maxAttempts,
    autoApprove: !!opts.autoApprove,
    ...(opts.model ? { model: opts.model } : {}),
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
  });
  const config = { configurable: { thread_id: threadId }, context, recursionLimit: 50 };
  const prompter = new Prompter(input, out);
  const say = (text: string) => out.write(`datachef> ${terminalText(text).split("\n").join("\n          ")}\n`);

  /** Runs the graph on an input (a message, a resume, or null to continue) and prints what happens. */
  const run = async (graphInput: unknown): Promise<Pending | undefined> => {
    const display = new ProgressDisplay(err as NodeJS.WriteStream);
    let pending: Pending | undefined;
    const stream = await graph.stream(graphInput as never, { ...config, streamMode: ["updates", "custom"] });
    for await (const [mode, chunk] of stream as AsyncIterable<[string, Record<string, any>]>) {
      if (mode === "custom" && isProgressEvent(chunk)) display.event(chunk);
      if (mode !== "updates") continue;
      for (const [node, update] of Object.entries(chunk)) {
        if (node === "__interrupt__") {
          const value = (update as { value?: Pending & { kind?: string } }[])[0]?.value;
          if (value?.kind === "approve_plan") pending = { plan: value.plan, planMd: value.planMd };
          continue;
        }
        const msgs = (update as { messages?: { content: unknown }[] } | null)?.messages;
        if (msgs?.length) {
          display.done();
          say(String(msgs.at(-1)!.content));
        }
      }
    }
    display.done();
    return pending;
  };

  /** The inline approval dialogue; returns false at end of input. */
  const approve = async (p: Pending): Promise<boolean> => {
    for (;;) {
      const task = /^# Data recipe plan: (\S+)/m.exec(p.planMd ?? "")?.[1];
      const known = p.plan ? [...p.plan.training_data.map((d) => d.dataset_id), ...p.plan.rejected.map((r) => r.dataset_id)] : [];
      say(p.plan ? planForApproval(p.plan, task) : (p.planMd ?? "(the plan is not available)"));
      for (;;) {
        const line = await prompter.ask(`approve? [approve / reject / use only <id>, <id> / why did you drop <id>?] > `);
        if (line === null) return false;
        const text = line.trim();
        if (!text) continue;
        const q = parseRequest(text, { sources: known });
        if (q.intent === "explain" && q.source) {
          say(explainSource(p.plan, q.source, task));
          continue;
        }
        const answer = normalizeApproval(text);
        if (answer.note) {
          say(`I did not understand that answer. Say approve, reject, or "use only <id>, <id>".`);
          continue;
        }
        const unknown = (answer.sources ?? []).filter((s) => known.length && !known.includes(s));
        if (unknown.length) {
          say(`${unknown.join(", ")} ${unknown.length === 1 ? "is not a source" : "are not sources"} of this task. Its sources are: ${known.join(", ")}.`);
          continue;
        }
        const next = await run(new Command({ resume: answer }));
        if (!next) return true;
        p = next;
        break;
      }
    }
  };

  out.write(`datachef chat · thread ${threadId} (resume later with: datachef chat --thread ${threadId}) · type "help", or "exit" to leave\n`);
  try {
    // an earlier conversation: pending approval, or a run that was killed half-way
    const state = await graph.getState(config);
    if (opts.thread && state.values && Object.keys(state.values).length) {
      const interrupts = state.tasks.flatMap((t) => t.interrupts ?? []);
      const value = interrupts[0]?.value as (Pending & { kind?: string }) | undefined;
      if (value?.kind === "approve_plan") {
        out.write(`(resuming thread ${threadId}: a plan is waiting for your approval)\n`);
        if (!(await approve({ plan: value.plan, planMd: value.planMd }))) return 0;
      } else if (state.next.length) {
        out.write(`(resuming thread ${threadId}: continuing the run that was interrupted)\n`);
        const p = await run(null);
        if (p && !(await approve(p))) return 0;
      } else out.write(`(resuming thread ${threadId}: ${(state.values as { messages?: unknown[] }).messages?.length ?? 0} messages so far)\n`);
    }
    for (;;) {
      const line = await prompter.ask("you> ");
      if (line === null || /^(exit|quit|bye|:q)$/i.test(line.trim())) break;
      if (!line.trim()) continue;
      const p = await run({ messages: [new HumanMessage(line.trim())] });
      if (p && !(await approve(p))) break;
    }
    return 0;
  } finally {
    prompter.close();
    out.write(`bye · resume with: datachef chat --thread ${threadId}\n`);
  }
}
