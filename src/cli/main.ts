/**
 * The `datachef` command. Every command returns an exit code: 0 only when the run's status is
 * ok; otherwise a one-line reason goes to stderr.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { cookCommand } from "./cook.js";
import { runCommand } from "./run.js";
import { verifyCommand } from "./verify.js";
import { tasksCommand } from "./tasks.js";
import { demoCommand } from "./demo.js";
import { CliError } from "./errors.js";
import { registerRlCommands } from "./rl-commands.js";
import { registerChatCommands } from "./chat-commands.js";
import { registerEvalCommands } from "./eval.js";

export function intArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be an integer, got '${v}'`);
    return n;
  };
}

function buildProgram(setCode: (c: number) => void): Command {
  const program = new Command("datachef")
    .description("Cooks data recipes for adapting LLMs: plan, code, run in a sandbox, verify.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError("(run with --help for usage)");

  const sandboxOpt = ["--sandbox <kind>", "where recipes run: auto | local | e2b", "auto"] as const;

  program
    .command("cook")
    .description("plan, write, execute and verify a recipe for a task spec")
    .argument("<task.json>", "task spec file")
    .option("--out <dir>", "run folder (default runs/<task>-<time>-s<seed>)")
    .option("--seed <n>", "seed of every stochastic choice", intArg("--seed"), 0)
    .option("--samples <k>", "records the verifier grades", intArg("--samples"), 100)
    .option("--policy <p>", "builtin, or a policy.json of trained built-in parameters", "builtin")
    .option("--temperature <t>", "policy sampling temperature (0 = greedy)", parseFloat, 1)
    .option(...sandboxOpt)
    .option("--max-attempts <n>", "executions before giving up (1 + repairs)", intArg("--max-attempts"), 3)
    .option("--max-records <n>", "override the spec's budget.max_records", intArg("--max-records"))
    .option("--only <ids>", "comma-separated source ids the planner may use")
    .option("--model <name>", "chat model for every LLM agent (else DATACHEF_MODEL; none: the built-in policy)")
    .option("--base-url <url>", "OpenAI-compatible endpoint (else OPENAI_BASE_URL)")
    .option("--judge-model <name>", "judge model; 'builtin' keeps the rule-based judge")
    .option("--policy-mode <mode>", "LLM policy mode: planner_coder | chef")
    .option("--llm-calls <n>", "recipe-side LLM call budget", intArg("--llm-calls"))
    .option("--recipe <file>", "start from this recipe.py (e.g. an edited one); the coder repairs it if it fails")
    .option("--check <file>", "the check.py that goes with --recipe")
    .option("--force", "replace an earlier run in the --out folder")
    .option("--json", "print the report as JSON on stdout")
    .action(async (task: string, opts) => setCode(await cookCommand(task, opts)));

  program
    .command("run")
    .description("run your own recipe script under the sandbox rules, then verify its output")
    .argument("<task.json>", "task spec file")
    .argument("<recipe.py>", "the recipe script")
    .requiredOption("--out <dir>", "run folder")
    .option("--check <check.py>", "a check script to run after the recipe")
    .option("--seed <n>", "verifier sampling seed", intArg("--seed"), 0)
    .option("--samples <k>", "records the verifier grades", intArg("--samples"), 100)
    .option(...sandboxOpt)
    .option("--wall <seconds>", "wall-time limit of each script", parseFloat, 300)
    .option("--memory <mb>", "memory limit of each script", parseFloat, 2048)
    .option("--force", "replace an earlier run in the --out folder")
    .option("--json", "print the report as JSON on stdout")
    .action(async (task: string, recipe: string, opts) => setCode(await runCommand(task, recipe, opts)));

  program
    .command("verify")
    .description("score a training set (data.jsonl) against a task with the Data Verifier")
    .argument("<task.json>", "task spec file")
    .argument("<data.jsonl>", "chat records, one per line")
    .option("--out <dir>", "also write report.json and report.html here")
    .option("--seed <n>", "sampling seed", intArg("--seed"), 0)
    .option("--samples <k>", "records to grade", intArg("--samples"), 100)
    .option("--json", "print the result as JSON on stdout")
    .action(async (task: string, data: string, opts) => setCode(await verifyCommand(task, data, opts)));

  program
    .command("tasks")
    .description("list the task specs in a folder")
    .argument("[dir]", "folder of task spec JSON files", ".")
    .option("--json", "print JSON")
    .action(async (dir: string, opts) => setCode(await tasksCommand(dir, opts)));

  program
    .command("demo")
    .description("generate the built-in demo task pool (no network) and cook one of its tasks")
    .option("--task <id>", "demo task to cook: math | tickets | mcqa", "math")
    .option("--out <dir>", "run folder")
    .option("--seed <n>", "seed", intArg("--seed"), 0)
    .option("--force", "replace an earlier run in the --out folder")
    .option("--list", "only generate the pool and list its tasks")
    .action(async (opts) => setCode(await demoCommand(opts)));

  registerRlCommands(program, setCode, intArg);
  registerChatCommands(program, setCode, intArg);
  registerEvalCommands(program, setCode, intArg);

  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliError) {
      process.stderr.write(`datachef: ${e.message}\n`);
      return e.exitCode;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.stderr.write(`datachef: ${msg.split("\n")[0]}\n`);
    if (process.env.DATACHEF_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return 1;
  }
}
