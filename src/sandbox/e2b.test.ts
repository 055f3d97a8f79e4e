/**
 * E2BSandbox against a fake of the @e2b/code-interpreter surface that records every call.
 * The real SDK is never reached: this runtime has no network to E2B.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { E2BSandbox, limitedCommand, shellQuote, type E2BCommandHandle, type E2BCommandOptions, type E2BCreateOptions, type E2BSdk } from "./e2b.js";
import { createSandbox, resolveSandboxKind, withSandbox } from "./index.js";
import { DEFAULT_LIMITS } from "./types.js";

type Behaviour = (cmd: string, opts: E2BCommandOptions, handle: { killed: boolean }) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

class FakeVM {
  readonly sandboxId = "sbx-fake-123";
  readonly calls: Array<{ op: string; args: unknown[] }> = [];
  readonly files = new Map<string, { data: string | ArrayBuffer; user?: string }>();
  kills = 0;
  handleKills = 0;
  behaviour: Behaviour = async () => ({ exitCode: 0, stdout: "", stderr: "" });
  failMakeDir = false;

  filesApi = {
    write: async (p: string, data: string | ArrayBuffer, opts?: { user?: string; requestTimeoutMs?: number }) => {
      this.calls.push({ op: "files.write", args: [p, opts] });
      this.files.set(p, { data, user: opts?.user });
      return { path: p };
    },
    read: async (p: string, opts: { format: "bytes"; requestTimeoutMs?: number }) => {
      this.calls.push({ op: "files.read", args: [p, opts] });
      const f = this.files.get(p);
      if (!f) throw new Error(`not found: ${p}`);
      return typeof f.data === "string" ? new TextEncoder().encode(f.data) : new Uint8Array(f.data);
    },
    exists: async (p: string) => {
      this.calls.push({ op: "files.exists", args: [p] });
      return this.files.has(p);
    },
    makeDir: async (p: string, opts?: { requestTimeoutMs?: number }) => {
      this.calls.push({ op: "files.makeDir", args: [p, opts] });
      if (this.failMakeDir) throw new Error("envd unreachable");
      return true;
    },
  };

  get commandsApi() {
    const vm = this;
    return {
      run(cmd: string, opts: E2BCommandOptions = {}): Promise<any> {
        vm.calls.push({ op: "commands.run", args: [cmd, opts] });
        const state = { killed: false };
        const done = vm.behaviour(cmd, opts, state);
        if (!opts.background) return done;
        const handle: E2BCommandHandle = {
          pid: 42,
          wait: () =>
            done.then((r) => {
              if (r.exitCode !== 0) throw Object.assign(new Error(`exit status ${r.exitCode}`), { name: "CommandExitError", ...r });
              return r;
            }),
          kill: async () => {
            vm.handleKills++;
            state.killed = true;
            return true;
          },
        };
        return Promise.resolve(handle);
      },
    };
  }

  asHandle() {
    return {
      sandboxId: this.sandboxId,
      files: this.filesApi,
      commands: this.commandsApi,
      kill: async (opts?: { requestTimeoutMs?: number }) => {
        this.calls.push({ op: "kill", args: [opts] });
        this.kills++;
        return true;
      },
    };
  }
}

function fakeSdk(vm: FakeVM, created: E2BCreateOptions[] = []): E2BSdk {
  return {
    Sandbox: {
      create: async (opts: E2BCreateOptions) => {
        created.push(opts);
        return vm.asHandle();
      },
    },
  };
}

const runCalls = (vm: FakeVM) => vm.calls.filter((c) => c.op === "commands.run").map((c) => c.args as [string, E2BCommandOptions]);

describe("E2BSandbox over a fake SDK", () => {
  test("creates with timeouts, no internet, the api key, and keeps only the id", async () => {
    const vm = new FakeVM();
    const created: E2BCreateOptions[] = [];
    const sb = await E2BSandbox.create({ sdk: fakeSdk(vm, created), apiKey: "e2b_test", sandboxTimeoutMs: 120_000 });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ apiKey: "e2b_test", timeoutMs: 120_000, allowInternetAccess: false });
    expect(created[0]!.requestTimeoutMs).toBeGreaterThan(0);
    expect(sb.id).toBe("sbx-fake-123");
    expect(sb.kind).toBe("e2b");
    expect(vm.calls.find((c) => c.op === "files.makeDir")?.args[0]).toBe("/home/user/datachef");
    expect(sb.isolation()).toMatchObject({ kind: "e2b", network: false, processLimit: "remote" });
    await sb.close();
    await sb.close();
    expect(vm.kills).toBe(1);
  });

  test("the SDK factory may be lazy", async () => {
    const vm = new FakeVM();
    let loaded = 0;
    const sb = await E2BSandbox.create({ sdk: async () => (loaded++, fakeSdk(vm)) });
    expect(loaded).toBe(1);
    await sb.close();
    expect(vm.kills).toBe(1);
  });

  test("writes, stages read-only as root, reads back and checks paths", async () => {
    const vm = new FakeVM();
    const host = mkdtempSync(path.join(os.tmpdir(), "dc-e2b-"));
    try {
      writeFileSync(path.join(host, "s.jsonl"), '{"a":1}\n');
      const sb = await E2BSandbox.create({ sdk: fakeSdk(vm) });
      await sb.writeFile("recipe.py", "print(1)");
      await sb.writeFile("bin/blob", new Uint8Array([1, 2, 3]));
      await sb.stageFile(path.join(host, "s.jsonl"), "sources/s.jsonl", { readOnly: true });
      await sb.stageFile(path.join(host, "s.jsonl"), "scratch/s.jsonl");

      expect(vm.files.get("/home/user/datachef/recipe.py")?.data).toBe("print(1)");
      expect(Array.from(new Uint8Array(vm.files.get("/home/user/datachef/bin/blob")!.data as ArrayBuffer))).toEqual([1, 2, 3]);
      expect(vm.files.get("/home/user/datachef/sources/s.jsonl")?.user).toBe("root");
      expect(vm.files.get("/home/user/datachef/scratch/s.jsonl")?.user).toBeUndefined();
      const chmod = runCalls(vm).find(([cmd]) => cmd.startsWith("chmod"));
      expect(chmod?.[0]).toBe("chmod 0444 /home/user/datachef/sources/s.jsonl");
      expect(chmod?.[1]).toMatchObject({ user: "root" });
      expect(chmod?.[1].timeoutMs).toBeGreaterThan(0);
      expect(runCalls(vm).filter(([cmd]) => cmd.includes("scratch"))).toHaveLength(0);

      expect(new TextDecoder().decode(await sb.readFile("sources/s.jsonl"))).toBe('{"a":1}\n');
      expect(await sb.exists("recipe.py")).toBe(true);
      expect(await sb.exists("nope.py")).toBe(false);
      await expect(sb.writeFile("../../etc/passwd", "x")).rejects.toThrow(/escapes/);
      await expect(sb.readFile("/etc/passwd")).rejects.toThrow(/escapes/);
      await sb.close();
    } finally {
      rmSync(host, { recursive: true, force: true });
    }
  });

  test("run passes limits in the command, a timeout, a minimal env and the workdir", async () => {
    const vm = new FakeVM();
    vm.behaviour = async (_cmd, opts) => {
      await opts.onStdout?.("hello\n");
      await opts.onStderr?.("warn\n");
      return { exitCode: 0, stdout: "hello\n", stderr: "warn\n" };
    };
    process.env.DATACHEF_E2B_TEST_SECRET = "sk-secret";
    try {
      const sb = await E2BSandbox.create({ sdk: fakeSdk(vm) });
      const r = await sb.run(["python3", "recipe.py", "it's"], {
        env: { DATACHEF_OUTPUT: "output/data.jsonl" },
        limits: { wallMs: 10_000, memoryBytes: 512 * 1024 ** 2, cpuSeconds: 7, maxProcesses: 20, fileBytes: 1024 ** 2 },
      });
      expect(r).toMatchObject({ exitCode: 0, stdout: "hello\n", stderr: "warn\n", timedOut: false, stdoutTruncated: false });
      expect(r.limitHit).toBeUndefined();
      const [cmd, opts] = runCalls(vm).at(-1)!;
      expect(cmd).toContain("ulimit -v 524288");
      expect(cmd).toContain("ulimit -f 1024");
      expect(cmd).toContain("ulimit -u 20");
      expect(cmd).toContain("ulimit -S -t 7");
      expect(cmd).toContain("exec timeout -k 2 10 python3 recipe.py 'it'\\''s'");
      expect(opts).toMatchObject({ background: true, cwd: "/home/user/datachef" });
      expect(opts.timeoutMs).toBe(15_000);
      expect(opts.envs).toMatchObject({ DATACHEF_OUTPUT: "output/data.jsonl", HOME: "/home/user/datachef" });
      expect(Object.values(opts.envs ?? {})).not.toContain("sk-secret");
      await sb.close();
    } finally {
      delete process.env.DATACHEF_E2B_TEST_SECRET;
    }
  });

  test("a non-zero exit comes back as a classified RunResult, not an exception", async () => {
    const vm = new FakeVM();
    vm.behaviour = async (_c, opts) => {
      await opts.onStderr?.("Traceback...\nMemoryError\n");
      return { exitCode: 1, stdout: "", stderr: "Traceback...\nMemoryError\n" };
    };
    const sb = await E2BSandbox.create({ sdk: fakeSdk(vm) });
    const r = await sb.run(["python3", "recipe.py"]);
    expect(r.exitCode).toBe(1);
    expect(r.limitHit).toBe("memory");
    expect(r.reason).toMatch(/memory limit/);
    await sb.close();
  });

  test("exit 124 from the in-VM timeout, or the SDK timing out, is a wall limit", async () => {
    const vm = new FakeVM();
    vm.behaviour = async () => ({ exitCode: 124, stdout: "", stderr: "" });
    const sb = await E2BSandbox.create({ sdk: fakeSdk(vm) });
    const r = await sb.run(["python3", "loop.py"], { limits: { wallMs: 2_000 } });
    expect(r).toMatchObject({ limitHit: "wall", timedOut: true });

    vm.behaviour = async () => {
      throw Object.assign(new Error("[deadline_exceeded] command timed out"), { name: "TimeoutError" });
    };
    const r2 = await sb.run(["python3", "loop.py"], { limits: { wallMs: 2_000 } });
    expect(r2).toMatchObject({ limitHit: "wall", timedOut: true });
    expect(vm.handleKills).toBeGreaterThan(0);
    await sb.close();
  });

  test("output is capped in the callbacks and the command is killed", async () => {
    const vm = new FakeVM();
    let emitted = 0;
    vm.behaviour = async (_c, opts, state) => {
      const chunk = "x".repeat(64 * 1024);
      while (!state.killed && emitted < 10 * 1024 ** 3) {
        await opts.onStdout?.(chunk);
        emitted += chunk.length;
        await Promise.resolve();
      }
      return { exitCode: 137, stdout: "", stderr: "" };
    };
    const sb = await E2BSandbox.create({ sdk: fakeSdk(vm) });
    const r = await sb.run(["python3", "flood.py"], { limits: { outputBytes: 1024 ** 2 } });
    expect(r.limitHit).toBe("output");
    expect(r.stdoutTruncated).toBe(true);
    expect(Buffer.byteLength(r.stdout)).toBe(1024 ** 2);
    expect(vm.handleKills).toBeGreaterThan(0);
    expect(emitted).toBeLessThan(4 * 1024 ** 2);
    await sb.close();
  });

  test("when the SDK fails mid-run the VM is killed and a RunResult explains it", async () => {
    const vm = new FakeVM();
    vm.behaviour = async () => {
      throw new Error("getaddrinfo ENOTFOUND api.e2b.app");
    };
    const sb = await E2BSandbox.create({ sdk: fakeSdk(vm) });
    const r = await sb.run(["python3", "recipe.py"]);
    expect(r.sandboxError).toMatch(/ENOTFOUND/);
    expect(r.exitCode).toBeNull();
    expect(vm.kills).toBe(1);
    await expect(sb.writeFile("x.py", "")).rejects.toThrow(/closed/);
    await sb.close();
    expect(vm.kills).toBe(1);
  });

  test("a failure right after create still kills the VM", async () => {
    const vm = new FakeVM();
    vm.failMakeDir = true;
    await expect(E2BSandbox.create({ sdk: fakeSdk(vm) })).rejects.toThrow(/envd unreachable/);
    expect(vm.kills).toBe(1);
  });

  test("withSandbox kills the VM when the step throws", async () => {
    const vm = new FakeVM();
    await expect(
      withSandbox({ kind: "e2b", e2b: { sdk: fakeSdk(vm) } }, async (sb) => {
        expect(sb.kind).toBe("e2b");
        throw new Error("step failed");
      }),
    ).rejects.toThrow("step failed");
    expect(vm.kills).toBe(1);
  });
});

describe("sandbox factory", () => {
  test("auto picks e2b only when E2B_API_KEY is set", () => {
    expect(resolveSandboxKind("auto", { E2B_API_KEY: "k" })).toBe("e2b");
    expect(resolveSandboxKind("auto", {})).toBe("local");
    expect(resolveSandboxKind("local", { E2B_API_KEY: "k" })).toBe("local");
    expect(resolveSandboxKind("e2b", {})).toBe("e2b");
  });

  test("createSandbox with auto + key uses the injected SDK and passes the key and limits", async () => {
    const vm = new FakeVM();
    const created: E2BCreateOptions[] = [];
    const sb = await createSandbox({ kind: "auto", env: { E2B_API_KEY: "from-env" }, e2b: { sdk: fakeSdk(vm, created) }, limits: { wallMs: 3_000 } });
    expect(created[0]?.apiKey).toBe("from-env");
    vm.behaviour = async () => ({ exitCode: 0, stdout: "", stderr: "" });
    await sb.run(["python3", "a.py"]);
    expect(runCalls(vm).at(-1)![1].timeoutMs).toBe(8_000);
    await sb.close();
    expect(vm.kills).toBe(1);
  });
});

describe("command helpers", () => {
  test("shellQuote leaves plain words and quotes the rest", () => {
    expect(shellQuote("recipe.py")).toBe("recipe.py");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("$(rm -rf /)")).toBe("'$(rm -rf /)'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });
  test("limitedCommand keeps CPU soft below hard", () => {
    const cmd = limitedCommand(["python3", "x.py"], { ...DEFAULT_LIMITS, cpuSeconds: 5 });
    expect(cmd).toMatch(/ulimit -H -t 6 && ulimit -S -t 5/);
    expect(cmd.indexOf("ulimit -H -t")).toBeLessThan(cmd.indexOf("ulimit -S -t"));
  });
});
