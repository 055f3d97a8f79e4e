/**
 * `datachef run` with hostile scripts: every attack ends as an execution_error with a readable
 * reason, the host is untouched, and no process survives. A well-behaved script verifies ok.
 */
import { jest } from "@jest/globals";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "./main.js";
import { probeIsolation } from "../sandbox/probe.js";

const HOSTILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "sandbox", "fixtures", "hostile");

function makeTask(dir: string): string {
  const bench = Array.from({ length: 5 }, (_, i) => ({ question: `What is ${i} plus ${i + 2} in the tiny benchmark number ${i}?`, answer: `${i} + ${i + 2} = ${2 * i + 2}\n#### ${2 * i + 2}` }));
  const src = Array.from({ length: 40 }, (_, i) => ({ q: `Sam has ${i + 3} apples and buys ${i + 5} more at the market on day ${i}. How many apples does Sam have?`, a: `${i + 3} + ${i + 5} = ${2 * i + 8}\n#### ${2 * i + 8}` }));
  writeFileSync(path.join(dir, "bench.jsonl"), bench.map((r) => JSON.stringify(r)).join("\n") + "\n");
  writeFileSync(path.join(dir, "train.jsonl"), src.map((r) => JSON.stringify(r)).join("\n") + "\n");
  const spec = {
    id: "tiny_math",
    instruction: "Solve arithmetic word problems; end with a final line '#### <number>'.",
    benchmark: { id: "tiny_bench", path: "bench.jsonl", metric: "accuracy of the number after ####" },
    sources: [{ id: "train", path: "train.jsonl", license: "MIT" }],
  };
  const file = path.join(dir, "task.json");
  writeFileSync(file, JSON.stringify(spec));
  return file;
}

/** A hostile fixture as a recipe: argv set in the script, since `run` passes none. */
function hostileRecipe(dir: string, name: string, args: string[] = []): string {
  const body = readFileSync(path.join(HOSTILE, name), "utf8");
  const file = path.join(dir, `hostile-${name}`);
  writeFileSync(file, `import sys\nsys.argv = ${JSON.stringify(["recipe.py", ...args])}\n${body}`);
  return file;
}

interface RunOutcome {
  code: number;
  report: Record<string, any>;
  stderr: string;
}

async function run(task: string, recipe: string, out: string, extra: string[] = []): Promise<RunOutcome> {
  let stderr = "";
  const errSpy = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  const outSpy = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
  try {
    const code = await main(["run", task, recipe, "--out", out, "--wall", "3", "--memory", "512", ...extra]);
    return { code, report: JSON.parse(readFileSync(path.join(out, "report.json"), "utf8")), stderr };
  } finally {
    errSpy.mockRestore();
    outSpy.mockRestore();
  }
}

function sandboxProcesses(): string[] {
  const ps = execFileSync("ps", ["-eo", "pid,user,args"], { encoding: "utf8" });
  return ps.split("\n").filter((l) => /hostile|recipe\.py/.test(l) && !/\bps -eo\b/.test(l));
}

describe("datachef run under the sandbox rules", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "datachef-run-"));
  const task = makeTask(root);
  let n = 0;
  const out = () => path.join(root, `run-${++n}`);

  test("a well-behaved recipe runs and verifies ok", async () => {
    const recipe = path.join(root, "good.py");
    writeFileSync(
      recipe,
      [
        "import datachef_toolkit as dc",
        "rows = dc.load_source('train')",
        "recs = dc.standardize(rows, lambda r: (r['q'], r['a']), source='train')",
        "dc.dump_jsonl(dc.decontaminate(recs))",
      ].join("\n"),
    );
    const r = await run(task, recipe, out());
    expect(r.report.status).toBe("ok");
    expect(r.code).toBe(0);
    expect(r.report.records).toBe(40);
  });

  test("connecting to a loopback listener fails and the listener sees nothing", async () => {
    let connections = 0;
    const server = net.createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const r = await run(task, hostileRecipe(root, "network_loopback.py", [String(port)]), out());
      expect(r.code).toBe(1);
      expect(r.report.status).toBe("execution_error");
      expect(r.report.reason).toMatch(/\S/);
      expect(JSON.stringify(r.report)).not.toContain("ESCAPED");
      expect(connections).toBe(0);
    } finally {
      server.close();
    }
  });

  test("writing outside the sandbox folder fails", async () => {
    const victim = path.join(root, "victim.txt");
    const r = await run(task, hostileRecipe(root, "write_outside.py", [victim, "/etc/datachef-escape", path.join(process.cwd(), "escape.txt")]), out());
    expect(r.report.status).toBe("execution_error");
    expect(existsSync(victim)).toBe(false);
    expect(existsSync("/etc/datachef-escape")).toBe(false);
    expect(existsSync(path.join(process.cwd(), "escape.txt"))).toBe(false);
  });

  test("an infinite loop is killed at the wall limit", async () => {
    const t0 = Date.now();
    const r = await run(task, hostileRecipe(root, "infinite_loop.py"), out());
    expect(r.report.status).toBe("execution_error");
    expect(r.report.reason).toMatch(/wall|time|cpu/i);
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  test("allocating 4 GB is killed at the memory limit", async () => {
    const r = await run(task, hostileRecipe(root, "memory_hog.py", ["4"]), out());
    expect(r.report.status).toBe("execution_error");
    expect(r.report.reason).toMatch(/memory/i);
  });

  test("10 GB of stdout is capped", async () => {
    const t0 = Date.now();
    const r = await run(task, hostileRecipe(root, "stdout_flood.py", ["10"]), out());
    expect(r.report.status).toBe("execution_error");
    expect(r.report.reason).toMatch(/output/i);
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(process.memoryUsage().rss).toBeLessThan(2 * 1024 ** 3);
  });

  test("a fork loop is contained by the process limit", async () => {
    const plan = await probeIsolation();
    if (plan.processLimit === "none") {
      console.warn("SKIPPED fork-loop test: no working process limit here (no pids cgroup, no uid drop); it is never run unconfined");
      return;
    }
    const r = await run(task, hostileRecipe(root, "fork_bomb.py", ["2000"]), out());
    expect(r.report.status).toBe("execution_error");
    expect(r.report.reason).toMatch(/process/i);
    expect(JSON.stringify(r.report)).not.toContain("ESCAPED");
  });

  test("the host stays healthy: no sandboxed process survives", () => {
    expect(sandboxProcesses()).toEqual([]);
  });
});
