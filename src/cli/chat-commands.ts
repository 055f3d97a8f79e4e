/** The chat and report commands of `datachef` (registered by main.ts). */
import type { Command } from "commander";
import { chatCommand } from "./chat.js";
import { reportCommand } from "./report.js";

type IntArg = (name: string) => (v: string) => number;

export function registerChatCommands(program: Command, setCode: (c: number) => void, intArg: IntArg): void {
  program
    .command("chat")
    .description("ask for recipes in plain words (a terminal REPL on the chat graph); plans wait for your approval")
    .option("--thread <id>", "continue an earlier conversation (it survives the process being killed)")
    .option("--db <file>", "SQLite file of the conversations", ".datachef/chat.sqlite")
    .option("--tasks-dir <dir>", "folder of task specs that task names resolve against", ".")
    .option("--runs-dir <dir>", "where runs are written", "runs")
    .option("--seed <n>", "seed of every stochastic choice", intArg("--seed"), 0)
    .option("--samples <k>", "records the verifier grades", intArg("--samples"), 100)
    .option("--policy <p>", "builtin, or a policy.json of trained built-in parameters", "builtin")
    .option("--sandbox <kind>", "where recipes run: auto | local | e2b", "auto")
    .option("--max-attempts <n>", "executions before giving up (1 + repairs)", intArg("--max-attempts"), 3)
    .option("--model <name>", "chat model of the LLM policy and the request parser (else DATACHEF_MODEL; none: built-in)")
    .option("--base-url <url>", "OpenAI-compatible endpoint (else OPENAI_BASE_URL)")
    .option("--auto-approve", "run plans without asking")
    .action(async (opts) => setCode(await chatCommand(opts)));

  program
    .command("report")
    .description("render a rollout store (reward per group, spread, training curve) or a run's report.json as a self-contained HTML page")
    .argument("<target>", "rollout store (SQLite file), run folder, or report.json")
    .option("--out <file>", "HTML file to write (default: next to the target)")
    .option("--collection <name>", "only this collection of the store")
    .option("--curve <file>", "training curve JSON ([{step, mean_reward}]) to plot")
    .option("--json", "print the page's data as JSON")
    .action(async (target: string, opts) => setCode(await reportCommand(target, opts)));
}
