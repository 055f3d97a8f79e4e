/**
 * What a chat message asks for. The built-in parser (parse.ts) and the LLM parser (llm-parse.ts)
 * both produce a `ChatRequest`; the chat graph routes on its intent.
 */
import { z } from "zod";

export const CHAT_INTENTS = ["list_tasks", "cook", "set", "explain", "verify", "help", "approval", "unknown"] as const;
export type ChatIntent = (typeof CHAT_INTENTS)[number];

/** The structured output an LLM fills in (flat, so every provider's JSON mode can produce it). */
export const ChatRequestSchema = z.object({
  intent: z
    .enum(CHAT_INTENTS)
    .describe(
      "list_tasks: list task specs in a folder; cook: plan and run a recipe for a task; set: change settings (source restriction, record budget, seed) without cooking; explain: why a source was dropped or used; verify: score a data file against a task; help: what the assistant can do; approval: approve/reject words with nothing pending; unknown: anything else",
    ),
  dir: z.string().optional().describe("list_tasks: the folder named, as written (e.g. ./tasks)"),
  task: z.string().optional().describe("cook/verify: the task spec path or task id named, as written; omit for 'this task'"),
  sources: z.array(z.string()).optional().describe("source ids the user restricts the recipe to ('use only a and b')"),
  allSources: z.boolean().optional().describe("true when the user lifts a source restriction ('use all sources')"),
  maxRecords: z.number().int().positive().optional().describe("record budget the user asks for ('keep it under 2,000 records' = 2000)"),
  seed: z.number().int().min(0).optional().describe("seed the user asks for"),
  source: z.string().optional().describe("explain: the source id asked about"),
  data: z.string().optional().describe("verify: the data file path to score"),
});
export type ChatRequestFields = z.infer<typeof ChatRequestSchema>;

export interface ChatRequest extends ChatRequestFields {
  /** The message the request was parsed from. */
  text: string;
  /** Who parsed it. */
  via: "builtin" | "llm";
  /** Why the parser could not make sense of it (intent unknown), in words. */
  note?: string;
}

/** Hints that help parsing: the ids the user may be naming. */
export interface ParseHints {
  /** Source ids of the current task (and of the last plan). */
  sources?: string[];
  /** Task ids known from the tasks folder. */
  taskIds?: string[];
}
