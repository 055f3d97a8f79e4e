/** Test fixtures for the evaluation modules. */
import type { ChatRecord } from "../../data/chat.js";
import type { TaskContract } from "../../task/contract.js";
import type { RecipeRow } from "../types.js";

export function row(over: Partial<RecipeRow> = {}): RecipeRow {
  return {
    task: "t",
    variant: "policy",
    kind: "policy",
    seed: 1,
    status: "ok",
    reward: 0.8,
    score: 0.8,
    records: 10,
    attempts: 1,
    firstAttemptOk: true,
    executed: true,
    grades: { invalid: 0, format_error: 0, incorrect: 1, task_mismatch: 0, pass: 9 },
    leaks: { strict: 0, substantial: 0, rate: 0 },
    verifierContaminated: 0,
    sources: ["a"],
    wallMs: 1000,
    timings: {},
    outDir: "/tmp/x",
    finishedAt: new Date(0).toISOString(),
    ...over,
  };
}


const base = { hasContext: false, numericAnswer: false, systemPrompt: "", inputChars: { p50: 150, p95: 300 }, inputFields: ["question"] };

export const LABEL_CONTRACT: TaskContract = { ...base, hasOptions: false, reasoning: false, answer: { kind: "label", labels: ["positive", "negative", "neutral"] }, describe: "one label" };
export const OPTION_CONTRACT: TaskContract = { ...base, hasOptions: true, reasoning: false, answer: { kind: "option_letter", letters: ["A", "B", "C", "D", "E"] }, describe: "one option letter A-E" };
export const MARKER_CONTRACT: TaskContract = { ...base, hasOptions: false, reasoning: true, numericAnswer: true, answer: { kind: "marker", marker: "####" }, describe: "worked solution, then #### <number>" };

export function chat(user: string, assistant: string, system = "Task: test."): ChatRecord {
  return { messages: [{ role: "system", content: system }, { role: "user", content: user }, { role: "assistant", content: assistant }] };
}
