/**
 * E2BSandbox: the Sandbox interface over an @e2b/code-interpreter cloud sandbox (a microVM).
 *
 * - The SDK is injected (`sdk`), defaulting to a lazy dynamic import, so tests use a fake and
 *   nothing loads the SDK unless E2B is really used.
 * - The only state worth keeping is `id` (the E2B sandbox id); the object itself never goes
 *   into graph state.
 * - Every SDK call carries a timeout; the VM is killed in close(), and at once when the SDK
 *   itself fails mid-run (the VM is then in an unknown state).
 * - Limits: wall time by `timeout` inside the VM plus the SDK's command timeout as a backstop;
 *   memory, CPU, file size and process count by bash `ulimit` (commands run under `bash -l -c`,
 *   as the unprivileged template user, so RLIMIT_NPROC applies); output capped in the callbacks.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { classifyExit } from "./classify.js";
import { DEFAULT_LIMITS, type IsolationReport, type RunLimits, type RunOptions, type RunResult, type Sandbox } from "./types.js";

/** The slice of the @e2b/code-interpreter API this adapter uses (what a fake must provide). */
export interface E2BCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  error?: string;
}

export interface E2BCommandHandle {
  readonly pid: number;
  wait(): Promise<E2BCommandResult>;
  kill(): Promise<boolean>;
}

export interface E2BCommandOptions {
  background?: boolean;
  cwd?: string;
  user?: string;
  envs?: Record<string, string>;
  onStdout?: (data: string) => void | Promise<void>;
  onStderr?: (data: string) => void | Promise<void>;
  timeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface E2BSandboxHandle {
  readonly sandboxId: string;
  files: {
    write(path: string, data: string | ArrayBuffer, opts?: { user?: string; requestTimeoutMs?: number }): Promise<unknown>;
    read(path: string, opts: { format: "bytes"; user?: string; requestTimeoutMs?: number }): Promise<Uint8Array>;
    exists(path: string, opts?: { user?: string; requestTimeoutMs?: number }): Promise<boolean>;
    makeDir(path: string, opts?: { user?: string; requestTimeoutMs?: number }): Promise<boolean>;
  };
  commands: {
    run(cmd: string, opts: E2BCommandOptions & { background: true }): Promise<E2BCommandHandle>;
    run(cmd: string, opts?: E2BCommandOptions & { background?: false }): Promise<E2BCommandResult>;
  };
  kill(opts?: { requestTimeoutMs?: number }): Promise<unknown>;
}

export interface E2BCreateOptions {
  apiKey?: string;
  template?: string;
  timeoutMs: number;
  requestTimeoutMs: number;
  allowInternetAccess: boolean;
  metadata?: Record<string, string>;
}

export interface E2BSdk {
  Sandbox: { create(opts: E2BCreateOptions): Promise<E2BSandboxHandle> };
}

export interface E2BSandboxOptions {
  /** Default: process.env.E2B_API_KEY. */
  apiKey?: string;
  template?: string;
  /** Lifetime of the VM; E2B kills it after this even if we never call close(). */
  sandboxTimeoutMs?: number;
  /** Per SDK request (file transfer, command start). */
  requestTimeoutMs?: number;
  /** Default false: recipes get no general network. */
  allowInternetAccess?: boolean;
  limits?: Partial<RunLimits>;
  /** Folder inside the VM that plays the sandbox root. */
  workdir?: string;
  metadata?: Record<string, string>;
  sdk?: E2BSdk | (() => Promise<E2BSdk>);
}

const DEFAULT_WORKDIR = "/home/user/datachef";
const DEFAULT_SANDBOX_TIMEOUT_MS = 30 * 60_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Extra time the SDK waits beyond the in-VM `timeout`, so the VM's own kill is what normally fires. */
const WALL_BACKSTOP_MS = 5_000;
/** `timeout` exits 124 when the wall limit fired. */
const TIMEOUT_EXIT = 124;

async function defaultSdk(): Promise<E2BSdk> {
  const mod = await import("@e2b/code-interpreter");
  return { Sandbox: mod.Sandbox };
}

export class E2BSandbox implements Sandbox {
  readonly kind = "e2b" as const;
  private dead = false;
  private killed = false;

  private constructor(
    private readonly vm: E2BSandboxHandle,
    private readonly opts: E2BSandboxOptions,
    readonly workdir: string,
    private readonly requestTimeoutMs: number,
  ) {}

  /** The E2B sandbox id: the only thing worth keeping in graph state. */
  get id(): string {
    return this.vm.sandboxId;
  }

  static async create(opts: E2BSandboxOptions = {}): Promise<E2BSandbox> {
    const sdk = typeof opts.sdk === "function" ? await opts.sdk() : (opts.sdk ?? (await defaultSdk()));
    const apiKey = opts.apiKey ?? process.env.E2B_API_KEY;
    const requestTimeoutMs = opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const vm = await sdk.Sandbox.create({
      ...(apiKey ? { apiKey } : {}),
      ...(opts.template ? { template: opts.template } : {}),
      timeoutMs: opts.sandboxTimeoutMs ?? DEFAULT_SANDBOX_TIMEOUT_MS,
      requestTimeoutMs,
      allowInternetAccess: opts.allowInternetAccess ?? false,
      metadata: { app: "datachef", ...opts.metadata },
    });
    const sb = new E2BSandbox(vm, opts, opts.workdir ?? DEFAULT_WORKDIR, requestTimeoutMs);
    try {
      await vm.files.makeDir(sb.workdir, { requestTimeoutMs });
      await vm.files.makeDir(path.posix.join(sb.workdir, ".tmp"), { requestTimeoutMs });
    } catch (e) {
      await sb.close();
      throw e;
    }
    return sb;
  }

  isolation(): IsolationReport {
    return {
      kind: "e2b",
      mechanism: "e2b microVM",
      network: this.opts.allowInternetAccess ?? false,
      readOnlyRoot: false,
      processLimit: "remote",
      warnings: this.opts.allowInternetAccess ? ["e2b sandbox has internet access (allowInternetAccess)"] : [],
      user: "template user",
      python: "python3",
    };
  }

  async writeFile(relPath: string, content: string | Uint8Array): Promise<void> {
    this.assertUsable();
    await this.vm.files.write(this.vmPath(relPath), toSdkData(content), { requestTimeoutMs: this.requestTimeoutMs });
  }

  async stageFile(hostPath: string, relPath: string, opts: { readOnly?: boolean } = {}): Promise<void> {
    this.assertUsable();
    const target = this.vmPath(relPath);
    const data = await readFile(hostPath);
    if (!opts.readOnly) {
      await this.vm.files.write(target, toSdkData(data), { requestTimeoutMs: this.requestTimeoutMs });
      return;
    }
    // Written and chmod-ed as root: the template user (who runs scripts) cannot chmod it back.
    await this.vm.files.write(target, toSdkData(data), { user: "root", requestTimeoutMs: this.requestTimeoutMs });
    await this.vm.commands.run(`chmod 0444 ${shellQuote(target)}`, {
      user: "root",
      timeoutMs: 30_000,
      requestTimeoutMs: this.requestTimeoutMs,
    });
  }

  async readFile(relPath: string): Promise<Uint8Array> {
    this.assertUsable();
    return this.vm.files.read(this.vmPath(relPath), { format: "bytes", requestTimeoutMs: this.requestTimeoutMs });
  }

  async exists(relPath: string): Promise<boolean> {
    this.assertUsable();
    return this.vm.files.exists(this.vmPath(relPath), { requestTimeoutMs: this.requestTimeoutMs });
  }

  async run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
    this.assertUsable();
    if (argv.length === 0) throw new Error("run: empty argv");
    const limits: RunLimits = { ...DEFAULT_LIMITS, ...this.opts.limits, ...opts.limits };
    const cwd = opts.cwd ? this.vmPath(opts.cwd) : this.workdir;
    const cmd = limitedCommand(argv, limits);
    const started = Date.now();
    const cap = limits.outputBytes;
    const out = { text: "", bytes: 0, truncated: false };
    const err = { text: "", bytes: 0, truncated: false };
    let killedFor: "wall" | "output" | null = null;
    let overflowStream: "stdout" | "stderr" | undefined;
    let handle: E2BCommandHandle | undefined;

    const sink = (s: typeof out, name: "stdout" | "stderr") => (data: string) => {
      if (s.truncated) return;
      const buf = Buffer.from(data, "utf8");
      if (s.bytes + buf.length <= cap) {
        s.text += data;
        s.bytes += buf.length;
        return;
      }
      s.text += buf.subarray(0, Math.max(0, cap - s.bytes)).toString("utf8");
      s.bytes = cap;
      s.truncated = true;
      if (!killedFor) {
        killedFor = "output";
        overflowStream = name;
        void handle?.kill().catch(() => undefined);
      }
    };

    let exitCode: number | null = null;
    try {
      handle = await this.vm.commands.run(cmd, {
        background: true,
        cwd,
        envs: this.runEnv(opts.env),
        onStdout: sink(out, "stdout"),
        onStderr: sink(err, "stderr"),
        timeoutMs: limits.wallMs + WALL_BACKSTOP_MS,
        requestTimeoutMs: this.requestTimeoutMs,
      });
      if (killedFor === "output") void handle.kill().catch(() => undefined);
      const res = await handle.wait();
      exitCode = res.exitCode;
    } catch (e) {
      const exit = exitCodeOf(e);
      if (exit !== undefined) {
        exitCode = exit;
      } else if (isTimeout(e)) {
        killedFor ??= "wall";
        void handle?.kill().catch(() => undefined);
      } else if (killedFor !== "output") {
        // The SDK itself failed: the VM is in an unknown state, so it goes now.
        const message = (e as Error)?.message ?? String(e);
        await this.kill();
        this.dead = true;
        return {
          exitCode: null,
          signal: null,
          stdout: out.text,
          stderr: err.text,
          timedOut: false,
          stdoutTruncated: out.truncated,
          stderrTruncated: err.truncated,
          durationMs: Date.now() - started,
          reason: `sandbox error: e2b command failed: ${message}`,
          sandboxError: `e2b command failed: ${message}`,
        };
      }
    }
    if (exitCode === TIMEOUT_EXIT && !killedFor) killedFor = "wall";
    const c = classifyExit(
      { exitCode, signal: null, stderr: err.text, killedFor, overflowStream, durationMs: Date.now() - started, exitCodeMaySignal: true },
      limits,
    );
    return {
      exitCode,
      signal: c.signal,
      stdout: out.text,
      stderr: err.text,
      timedOut: killedFor === "wall",
      limitHit: c.limitHit,
      stdoutTruncated: out.truncated,
      stderrTruncated: err.truncated,
      durationMs: Date.now() - started,
      reason: c.reason,
    };
  }

  async close(): Promise<void> {
    this.dead = true;
    await this.kill();
  }

  // -------------------------------------------------------------------------------------------

  private async kill(): Promise<void> {
    if (this.killed) return;
    this.killed = true;
    try {
      await this.vm.kill({ requestTimeoutMs: this.requestTimeoutMs });
    } catch {
      // The VM's own lifetime timeout reaps it anyway.
    }
  }

  private assertUsable(): void {
    if (this.dead) throw new Error(`e2b sandbox ${this.id} is closed`);
  }

  private vmPath(relPath: string): string {
    const p = path.posix.resolve(this.workdir, relPath);
    if (p !== this.workdir && !p.startsWith(this.workdir + "/")) throw new Error(`path escapes the sandbox: ${relPath}`);
    return p;
  }

  private runEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      HOME: this.workdir,
      TMPDIR: path.posix.join(this.workdir, ".tmp"),
      PYTHONDONTWRITEBYTECODE: "1",
      PYTHONUNBUFFERED: "1",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      ...extra,
    };
  }
}

/** `ulimit` (bash units: KiB for -v and -f) then `timeout` around argv, all quoted. */
export function limitedCommand(argv: string[], limits: RunLimits): string {
  const kib = (n: number) => Math.max(1, Math.floor(n / 1024));
  const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
  const wallS = Math.max(1, Math.ceil(limits.wallMs / 1000));
  return [
    "ulimit -c 0",
    `ulimit -v ${kib(limits.memoryBytes)}`,
    `ulimit -f ${kib(limits.fileBytes)}`,
    `ulimit -u ${Math.max(1, Math.floor(limits.maxProcesses))}`,
    // Hard above soft: SIGXCPU first (readable), SIGKILL a second later.
    `ulimit -H -t ${cpu + 1}`,
    `ulimit -S -t ${cpu}`,
    `exec timeout -k 2 ${wallS} ${argv.map(shellQuote).join(" ")}`,
  ].join(" && ");
}

export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_\-./=:@%+,]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function toSdkData(content: string | Uint8Array): string | ArrayBuffer {
  if (typeof content === "string") return content;
  const copy = new Uint8Array(content.byteLength);
  copy.set(content);
  return copy.buffer;
}

function exitCodeOf(e: unknown): number | undefined {
  const code = (e as { exitCode?: unknown })?.exitCode;
  return typeof code === "number" ? code : undefined;
}

function isTimeout(e: unknown): boolean {
  const name = (e as { name?: string })?.name ?? "";
  const msg = (e as { message?: string })?.message ?? "";
  return name === "TimeoutError" || /deadline[_ ]exceeded|timed? ?out/i.test(msg);
}
