/**
 * The chat graph: recipe requests in plain words, on a `messages` state (Studio's chat mode).
 *
 *                       +--> list_tasks ---+
 *                       +--> settings -----+
 *   START -> understand +--> cook ---------+--> END
 *                       |     | recipe graph as a subgraph: load_task -> plan -> approve
 *                       |     | (interrupt: approve / edit sources / reject) -> ... -> verify
 *                       +--> explain ------+
 *                       +--> verify_file --+
 *                       +--> reply --------+   (help, and anything not understood)
 *
 * understand parses the last user message (an LLM with structured output when a model is
 * configured, else the built-in parser). Every node answers with one AI message; no error reaches
 * the user as a stack trace.
 */
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { END, MessagesValue, START, StateGraph, StateSchema, isGraphBubbleUp, type LangGraphRunnableConfig } from "@langchain/langgraph";
import path from "node:path";
import { z } from "zod";
import { RecipeContextSchema, recipeContext, runSettingFields, withRunSettings, type RunSettings } from "./state.js";
import { recipeGraph } from "./recipe.js";
import type { Plan } from "../agents/planner/plan.js";
import { parseRequest } from "../agents/chat/parse.js";
import { parseRequestLlm } from "../agents/chat/llm-parse.js";
import type { ChatRequest } from "../agents/chat/request.js";
import { explainSource, helpText, notUnderstood, runSummary, tasksReply } from "../agents/chat/answers.js";
import { resolveDataFile, resolveTaskRef, taskIdsIn } from "../agents/chat/resolve.js";
import { verifyFile } from "../agents/chat/verify-file.js";
import { applySettings, cookOutcome, prepareCook, type LastRun } from "../agents/chat/cook.js";
import { describeRecipeUpdate, lastUserText, sourceIdsOf } from "../agents/chat/state.js";
export type { LastRun };
import { listTasks } from "../src/cli/tasks.js";
import { agentModel } from "../src/llm/policy.js";
import { progressWriter } from "../src/recipe/progress.js";

/** Run configuration: the recipe graph's, plus what only the chat needs. */
export const ChatContextSchema = RecipeContextSchema.extend({
  tasksDir: z.string().default(".").describe("Folder the chat lists task specs from and resolves task names against"),
  autoApprove: z.boolean().default(false).describe("Run plans without asking for approval (no interrupt)"),
});
export type ChatContext = z.infer<typeof ChatContextSchema>;

export function chatContext(raw: unknown): ChatContext {
  return ChatContextSchema.parse(raw ?? {});
}

/*
 * Besides `messages`, the input carries the run settings people change most, because the dev
 * server shows no form for a StateSchema graph's context: these fields override the context.
 */
const inputFields = {
  messages: MessagesValue,
  tasksDir: z.string().optional().describe("Folder of task specs (overrides the tasksDir setting); 'what tasks are there in X' sets it"),
  taskPath: z.string().optional().describe("The current task spec: what 'this task' and a bare 'cook' refer to"),
  ...runSettingFields,
  seed: runSettingFields.seed.describe("Seed of the next cook (default: the run context's seed); 'seed 3' in chat sets it"),
  model: runSettingFields.model.describe("Chat model of the LLM policy and of the request parser (default: DATACHEF_MODEL; none = built-in)"),
};

export const ChatInput = new StateSchema(inputFields);

export const ChatState = new StateSchema({
  ...inputFields,
  only: z.array(z.string()).optional().describe("Source ids the next cook is restricted to (empty = all)"),
  maxRecords: z.number().int().positive().optional().describe("Record budget of the next cook"),
  request: z.custom<ChatRequest>().optional(),
  lastPlan: z.custom<Plan>().optional(),
  lastRun: z.custom<LastRun>().optional(),
});
export type ChatStateValue = typeof ChatState.State;
export type ChatStateUpdate = typeof ChatState.Update;
type Config = LangGraphRunnableConfig;

function say(text: string): BaseMessage[] {
  return [new AIMessage(text)];
}

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0]!.slice(0, 400);
}

function tasksDirOf(state: ChatStateValue, ctx: ChatContext): string {
  return state.tasksDir ?? ctx.tasksDir;
}

/** The run context with the state's overrides (seed, samples, policy, model) applied. */
export function effectiveContext(state: RunSettings, ctx: ChatContext): ChatContext {
  return chatContext(withRunSettings(ctx, state));
}

async function understand(state: ChatStateValue, config: Config): Promise<ChatStateUpdate> {
  const ctx = effectiveContext(state, chatContext(config.context));
  const text = lastUserText(state.messages);
  const tasksDir = tasksDirOf(state, ctx);
  const hints = { sources: sourceIdsOf(state.taskPath, state.lastPlan), taskIds: taskIdsIn(tasksDir).map((t) => t.id) };
  let model = null;
  try {
    model = agentModel("planner", ctx);
  } catch {
    // a malformed model setting: the built-in parser still works
  }
  if (!model) return { request: parseRequest(text, hints) };
  try {
    const out = await parseRequestLlm({ message: text, hints, currentTask: state.taskPath, tasksDir, config: model, traceMetadata: { graph: "chat" } });
    return { request: out.request };
  } catch {
    return { request: parseRequest(text, hints) };
  }
}

type Node = (state: ChatStateValue, config: Config) => ChatStateUpdate | Promise<ChatStateUpdate>;

/** Any unexpected error becomes a one-line reply (interrupts still pass through). */
export function guarded(node: Node): Node {
  return async (state, config) => {
    try {
      return await node(state, config);
    } catch (e) {
      if (isGraphBubbleUp(e)) throw e;
      return { messages: say(`Something went wrong: ${errorText(e)}. Nothing else was changed; say "help" for what I can do.`) };
    }
  };
}

type Route = "list_tasks" | "settings" | "cook" | "explain" | "verify_file" | "reply";

export function routeRequest(state: Pick<ChatStateValue, "request">): Route {
  switch (state.request?.intent) {
    case "list_tasks":
      return "list_tasks";
    case "set":
      return "settings";
    case "cook":
      return "cook";
    case "explain":
      return "explain";
    case "verify":
      return "verify_file";
    default:
      return "reply";
  }
}

function reply(state: ChatStateValue): ChatStateUpdate {
  const req = state.request;
  const hints = { ...(state.taskPath ? { task: path.relative(process.cwd(), state.taskPath) } : {}), sources: sourceIdsOf(state.taskPath, state.lastPlan) };
  if (!req || req.intent === "help") return { messages: say(helpText(hints)) };
  if (req.intent === "approval") return { messages: say(`There is no plan waiting for approval right now. Say "cook <task>" to plan one.\n\n${helpText(hints)}`) };
  return { messages: say(notUnderstood(req.text, req.note, hints)) };
}

function listTasksNode(state: ChatStateValue, config: Config): ChatStateUpdate {
  const ctx = chatContext(config.context);
  const dir = state.request?.dir ?? tasksDirOf(state, ctx);
  try {
    const listing = listTasks(dir);
    return { messages: say(tasksReply(dir, listing)), tasksDir: dir };
  } catch (e) {
    return { messages: say(`I cannot list tasks in ${dir}: ${errorText(e)}.`) };
  }
}

function settings(state: ChatStateValue): ChatStateUpdate {
  const { update, message } = applySettings(state.request!, state.taskPath);
  return { ...update, messages: say(message) };
}

async function cook(state: ChatStateValue, config: Config): Promise<ChatStateUpdate> {
  const ctx = effectiveContext(state, chatContext(config.context));
  const plan = prepareCook(state.request!, state, { tasksDir: tasksDirOf(state, ctx), seed: ctx.seed });
  if (!plan.ok) return { messages: say(plan.message) };
  const kept = { taskPath: plan.taskPath, only: plan.only, ...(plan.maxRecords ? { maxRecords: plan.maxRecords } : {}), seed: plan.seed };
  const input = { taskPath: plan.taskPath, ...(plan.only.length ? { only: plan.only } : {}), ...(plan.maxRecords ? { maxRecords: plan.maxRecords } : {}) };
  const recipeCtx = recipeContext({ ...ctx, seed: plan.seed, approve: !ctx.autoApprove });
  const progress = progressWriter(config, "cook");
  let final: Record<string, unknown> = {};
  try {
    // the recipe graph as a subgraph: its approval interrupt and its checkpoints live in this run
    const stream = await recipeGraph.stream(input, { ...config, context: recipeCtx, streamMode: ["updates", "values"], recursionLimit: 50 });
    for await (const [mode, chunk] of stream as AsyncIterable<[string, Record<string, unknown>]>) {
      if (mode === "values") final = chunk;
      else for (const [node, update] of Object.entries(chunk)) if (node !== "__interrupt__") progress(`recipe/${node}: ${describeRecipeUpdate(node, update)}`);
    }
  } catch (e) {
    if (isGraphBubbleUp(e)) throw e; // the approval interrupt (and resumes) pass through
    return { ...kept, messages: say(`The run for ${plan.taskId} failed: ${errorText(e)}`) };
  }
  const out = cookOutcome(final, plan.taskId);
  return { ...kept, ...(out.lastPlan ? { lastPlan: out.lastPlan } : {}), ...(out.lastRun ? { lastRun: out.lastRun } : {}), messages: say(out.message) };
}

function explain(state: ChatStateValue): ChatStateUpdate {
  const task = state.lastRun?.task ?? (state.taskPath ? path.basename(state.taskPath, ".json") : undefined);
  return { messages: say(explainSource(state.lastPlan, state.request!.source!, task)) };
}

async function verifyFileNode(state: ChatStateValue, config: Config): Promise<ChatStateUpdate> {
  const ctx = effectiveContext(state, chatContext(config.context));
  const req = state.request!;
  const task = resolveTaskRef(req.task, { tasksDir: tasksDirOf(state, ctx), current: state.taskPath });
  if (!task.ok) return { messages: say(task.message) };
  const data = resolveDataFile(req.data!);
  if (!data.ok) return { messages: say(data.message) };
  try {
    const { report, outDir } = await verifyFile({ taskPath: task.path, dataPath: data.path, ctx, progress: progressWriter(config, "verify_file") });
    return {
      taskPath: task.path,
      lastRun: { kind: "verify", task: report.task, status: report.status, reward: report.reward, outDir },
      messages: say(`Verified ${path.basename(data.path)} against ${report.task}.\n${runSummary(report, { outDir, kind: "verify" })}`),
    };
  } catch (e) {
    return { messages: say(`I could not verify ${req.data}: ${errorText(e)}`) };
  }
}

export const chatGraphBuilder = new StateGraph(ChatState, { input: ChatInput, context: ChatContextSchema })
  .addNode("understand", guarded(understand))
  .addNode("list_tasks", guarded(listTasksNode))
  .addNode("settings", guarded(settings))
  .addNode("cook", guarded(cook))
  .addNode("explain", guarded(explain))
  .addNode("verify_file", guarded(verifyFileNode))
  .addNode("reply", guarded(reply))
  .addEdge(START, "understand")
  .addConditionalEdges("understand", routeRequest, ["list_tasks", "settings", "cook", "explain", "verify_file", "reply"])
  .addEdge("list_tasks", END)
  .addEdge("settings", END)
  .addEdge("cook", END)
  .addEdge("explain", END)
  .addEdge("verify_file", END)
  .addEdge("reply", END);

/** Compiled without a checkpointer: the LangGraph server and `datachef chat` bring their own. */
export const chatGraph = chatGraphBuilder.compile({ name: "chat" });
