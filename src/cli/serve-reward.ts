/** `datachef serve-reward`: the OpenRLHF-protocol reward server, until SIGTERM/SIGINT. */
import { InstanceError } from "../rl/instances.js";
import { RewardServer } from "../rl/reward-server.js";
import { TaskSpecError } from "../task/spec.js";
import { CliError } from "./errors.js";

export interface ServeRewardOptions {
  port: number;
  host: string;
  tasks: string[];
  concurrency: number;
  timeout: number;
  samples: number;
  seed: number;
  maxAttempts: number;
  sandbox: "auto" | "local" | "e2b";
  warm: boolean;
}

export async function serveRewardCommand(opts: ServeRewardOptions): Promise<number> {
  if (!opts.tasks?.length) throw new CliError("--tasks is required: the task spec files or folders whose instances labels name");
  if (opts.port < 0 || opts.port > 65535) throw new CliError(`--port must be 0..65535, got ${opts.port}`);
  if (!(opts.timeout > 0)) throw new CliError(`--timeout must be positive, got ${opts.timeout}`);
  let server: RewardServer;
  try {
    server = new RewardServer({
      tasks: opts.tasks,
      host: opts.host,
      port: opts.port,
      concurrency: opts.concurrency,
      timeoutMs: opts.timeout * 1000,
      context: { samples: opts.samples, seed: opts.seed, maxAttempts: opts.maxAttempts, sandbox: opts.sandbox },
      log: (l) => process.stderr.write(`${l}\n`),
    });
  } catch (e) {
    if (e instanceof InstanceError || e instanceof TaskSpecError) throw new CliError(e.message);
    throw e;
  }
  try {
    await server.start();
  } catch (e) {
    throw new CliError(`cannot listen on ${opts.host}:${opts.port}: ${(e as Error).message}`, 1);
  }
  process.stdout.write(`datachef reward server listening on ${server.url} (POST /get_reward, GET /health; tasks: ${server.tasks.join(", ")})\n`);
  if (opts.warm) void server.warm().then(() => process.stderr.write("all tasks prepared\n"), (e) => process.stderr.write(`warm-up failed: ${(e as Error).message}\n`));
  await new Promise<void>((resolve) => {
    const stop = (sig: string) => {
      process.stderr.write(`${sig}: finishing requests in flight, then stopping\n`);
      void server.close().then(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  process.stderr.write(`stopped after ${server.counters.requests} request(s), ${server.counters.items} completion(s)\n`);
  return 0;
}
