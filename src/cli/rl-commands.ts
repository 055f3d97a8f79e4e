/** The RL commands of `datachef`: rollouts, export, serve-reward, train (registered by main.ts). */
import type { Command } from "commander";
import { DEFAULT_GRPO } from "../rl/train.js";
import { rolloutsCommand } from "./rollouts.js";
import { exportCommand } from "./export.js";
import { serveRewardCommand } from "./serve-reward.js";
import { trainCommand } from "./train.js";
import { EXPORT_FORMATS } from "../rl/export.js";

type IntArg = (name: string) => (v: string) => number;

export function registerRlCommands(program: Command, setCode: (c: number) => void, intArg: IntArg): void {
  const sandboxOpt = ["--sandbox <kind>", "where recipes run: auto | local | e2b", "auto"] as const;

  program
    .command("rollouts")
    .description("collect GRPO rollout groups (G recipes per task instance) into a durable store; resumable")
    .argument("<tasks...>", "task spec files or folders of them")
    .option("--group <G>", "rollouts per task instance", intArg("--group"), 8)
    .option("--store <file>", "SQLite rollout store (created when missing; a killed collection resumes from it)", "rollouts.sqlite")
    .option("--augment <k>", "extra instances per task: seeded random subsets of its sources", intArg("--augment"), 0)
    .option("--seed <n>", "base seed (each rollout derives its own)", intArg("--seed"), 0)
    .option("--collection <name>", "name of this collection (default s<seed>)")
    .option("--concurrency <n>", "recipe runs in flight at once", intArg("--concurrency"), 2)
    .option("--policy <p>", "builtin, or a policy.json of trained built-in parameters", "builtin")
    .option("--temperature <t>", "policy sampling temperature", parseFloat, 1)
    .option("--samples <k>", "records the verifier grades per rollout", intArg("--samples"), 100)
    .option("--max-attempts <n>", "executions per rollout (1 + repairs)", intArg("--max-attempts"), 3)
    .option("--max-records <n>", "override every task's budget.max_records", intArg("--max-records"))
    .option("--advantage <m>", "grpo | drgrpo", "grpo")
    .option(...sandboxOpt)
    .option("--keep-runs <dir>", "keep every run folder under this folder")
    .option("--model <name>", "LLM policy model (default: environment, else the built-in policy)")
    .option("--base-url <url>", "OpenAI-compatible endpoint of the policy model")
    .option("--policy-mode <m>", "LLM policy mode: planner_coder | chef")
    .option("--json", "print the summary as JSON on stdout")
    .action(async (tasks: string[], opts) => setCode(await rolloutsCommand(tasks, opts)));

  program
    .command("export")
    .description("write stored rollouts (or prompt datasets for online training) in a trainer's format")
    .requiredOption("--format <f>", `one of ${EXPORT_FORMATS.join(", ")}`)
    .requiredOption("--out <file>", "output file (.jsonl, or .parquet for verl)")
    .option("--store <file>", "the rollout store")
    .option("--collection <name>", "only this collection's rollouts")
    .option("--tasks <paths...>", "prompt datasets: task spec files or folders (default: the store's instances)")
    .option("--augment <k>", "prompt datasets from --tasks: extra instances per task (source subsets)", intArg("--augment"), 0)
    .option("--seed <n>", "prompt datasets from --tasks: augmentation seed", intArg("--seed"), 0)
    .option("--json", "print a JSON summary")
    .action(async (opts) => setCode(await exportCommand(opts)));

  program
    .command("serve-reward")
    .description("serve rewards over HTTP (OpenRLHF remote reward protocol): run and verify each completion")
    .option("--port <p>", "port (0 = any free port)", intArg("--port"), 5000)
    .option("--host <h>", "address to listen on", "127.0.0.1")
    .requiredOption("--tasks <paths...>", "task spec files or folders the labels name")
    .option("--concurrency <n>", "completions executed at once", intArg("--concurrency"), 2)
    .option("--timeout <s>", "deadline of one request in seconds (OpenRLHF gives up at 180)", parseFloat, 150)
    .option("--samples <k>", "records the verifier grades per completion", intArg("--samples"), 100)
    .option("--seed <n>", "verifier sampling seed", intArg("--seed"), 0)
    .option("--max-attempts <n>", "executions per completion (1 = scored as written, no repairs)", intArg("--max-attempts"), 1)
    .option(...sandboxOpt)
    .option("--no-warm", "do not prepare every task at start-up")
    .action(async (opts) => setCode(await serveRewardCommand(opts)));

  program
    .command("train")
    .description("train the built-in policy's parameters with GRPO on collected rollout groups")
    .requiredOption("--tasks <paths...>", "training task spec files or folders")
    .option("--steps <n>", "GRPO steps (one collection each)", intArg("--steps"), 4)
    .option("--group <G>", "rollouts per task per step", intArg("--group"), 8)
    .requiredOption("--out <file>", "where the trained policy.json goes")
    .option("--augment <k>", "extra training instances per task: seeded random subsets of its sources", intArg("--augment"), 0)
    .option("--advantage <m>", "batch (reward minus group mean over the batch's pooled within-group std; drops zero-variance groups) | group (per-group GRPO)", "batch")
    .option("--lr <x>", "learning rate", parseFloat, DEFAULT_GRPO.lr)
    .option("--clip <eps>", "PPO clip range of the ratio", parseFloat, DEFAULT_GRPO.clip)
    .option("--kl <beta>", "KL penalty to the initial params (0 = off)", parseFloat, DEFAULT_GRPO.kl)
    .option("--epochs <n>", "gradient steps per collected batch", intArg("--epochs"), DEFAULT_GRPO.epochs)
    .option("--seed <n>", "base seed", intArg("--seed"), 0)
    .option("--samples <k>", "records the verifier grades per rollout", intArg("--samples"), 100)
    .option("--max-records <n>", "override every task's budget.max_records", intArg("--max-records"))
    .option("--concurrency <n>", "recipe runs in flight at once", intArg("--concurrency"), 2)
    .option("--store <file>", "also keep every rollout in this store")
    .option("--init <policy.json>", "start from these params (default: the hand-set defaults)")
    .option("--common-seeds", "every step replays the same rollout seeds (common random numbers: a cleaner curve)")
    .option("--json", "print the curve as JSON")
    .action(async (opts) => setCode(await trainCommand(opts)));
}
