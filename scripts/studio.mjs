#!/usr/bin/env node
// `npm run studio [-- --port P] [--host H] [--no-reload]`: serves langgraph.json's graphs (recipe, chat,
// rollout) with the local @langchain/langgraph-cli dev server, without opening a browser, and
// prints the URL to open LangGraph Studio on it. Port: --port, else $DATACHEF_STUDIO_PORT, else
// 2024. Ctrl-C stops the server and every process it started.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);

function option(name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && args[i + 1]) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}

const port = option("port", process.env.DATACHEF_STUDIO_PORT || "2024");
const host = option("host", process.env.DATACHEF_STUDIO_HOST || "127.0.0.1");
if (!/^\d+$/.test(port) || +port < 1 || +port > 65535) {
  console.error(`datachef studio: --port ${port}: expected a port number (1-65535)`);
  process.exit(2);
}
const cli = path.join(root, "node_modules", ".bin", "langgraphjs");
if (!existsSync(cli)) {
  console.error("datachef studio: @langchain/langgraph-cli is not installed (run npm ci)");
  process.exit(1);
}

const api = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
const env = { ...process.env, LANGGRAPH_CLI_NO_ANALYTICS: process.env.LANGGRAPH_CLI_NO_ANALYTICS ?? "1" };
// its own process group, so stopping it stops the workers it forks too
const extra = args.includes("--no-reload") ? ["--no-reload"] : [];
const child = spawn(cli, ["dev", "--port", port, "--host", host, "--no-browser", ...extra, "--config", path.join(root, "langgraph.json")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true });

let announced = false;
function announce() {
  if (announced) return;
  announced = true;
  process.stdout.write(
    `\ndatachef studio: graphs recipe, chat, rollout served at ${api}\n` +
      `  Studio:   https://smith.langchain.com/studio?baseUrl=${api}\n` +
      `  API docs: ${api}/docs\n` +
      `  (Studio runs in your browser and talks to this local server; Ctrl-C stops it)\n\n`,
  );
}

for (const [stream, out] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
]) {
  stream.on("data", (buf) => {
    out.write(buf);
    if (/Server running at|Ready!|Starting \d+ workers/i.test(String(buf))) announce();
  });
}

function stop(signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
process.on("SIGINT", () => stop("SIGTERM"));
process.on("SIGTERM", () => stop("SIGTERM"));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 130 : 0)));
