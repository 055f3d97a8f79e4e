/**
 * Test helper: the LangGraph dev server (`langgraphjs dev` from the local devDependency) on a
 * free loopback port, in its own process group, stopped by killing that group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { REPO_ROOT } from "../../src/recipe/paths.js";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  url: string;
  child: ChildProcess;
  /** Everything the server printed (for failure messages). */
  log: () => string;
  stop: () => Promise<void>;
}

export async function startDevServer(opts: { timeoutMs?: number; env?: Record<string, string> } = {}): Promise<DevServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const cli = path.join(REPO_ROOT, "node_modules", ".bin", "langgraphjs");
  const child = spawn(cli, ["dev", "--port", String(port), "--host", "127.0.0.1", "--no-browser", "--no-reload", "--config", path.join(REPO_ROOT, "langgraph.json")], {
    cwd: REPO_ROOT,
    env: { ...process.env, LANGGRAPH_CLI_NO_ANALYTICS: "1", ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout!.on("data", (b) => (out += String(b)));
  child.stderr!.on("data", (b) => (out += String(b)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  /** True while any process of the server's group is alive. */
  const groupAlive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async () => {
    if (!groupAlive()) return;
    process.kill(-child.pid!, "SIGTERM");
    // the CLI exits before the server it started has flushed and quit: wait for the whole group
    const end = Date.now() + 10_000;
    while (groupAlive() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    if (groupAlive()) process.kill(-child.pid!, "SIGKILL");
    while (groupAlive()) await new Promise((r) => setTimeout(r, 50));
    await exited;
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`langgraphjs dev exited early (${child.exitCode}):\n${out.slice(-3000)}`);
    try {
      const res = await fetch(`${url}/ok`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`langgraphjs dev did not answer on ${url} in time:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return { url, child, log: () => out, stop };
}
