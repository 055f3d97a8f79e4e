/**
 * Spawns one wrapped command in its own process group and supervises it: wall-time timer,
 * capped stdout/stderr capture, and a kill of the WHOLE group (plus an optional extra killer,
 * e.g. the run's pids cgroup) on any limit. Never throws for a misbehaving child.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface SpawnLimits {
  wallMs: number;
  /** Per stream; the group is killed once either stream passes it. */
  outputBytes: number;
}

export interface RawRun {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  /** Set when the supervisor itself ended the run. */
  killedFor: "wall" | "output" | null;
  /** Which stream overflowed when killedFor is "output". */
  overflowStream?: "stdout" | "stderr";
  durationMs: number;
  /** The command could not be started at all (ENOENT, EACCES, ...). */
  spawnError?: string;
}

export interface SpawnSupervisedOptions {
  env: Record<string, string>;
  cwd: string;
  limits: SpawnLimits;
  /** Also called on every kill: reaches processes that left the group (setsid, daemons). */
  extraKill?: () => void | Promise<void>;
  /** Receives the child's pid (= its process group id) right after spawn. */
  onSpawn?: (pid: number) => void;
  /** After the main process exits, how long to wait for the pipes to close (held by escapees). */
  drainGraceMs?: number;
}

export function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function spawnSupervised(file: string, args: string[], opts: SpawnSupervisedOptions): Promise<RawRun> {
  const started = Date.now();
  const cap = Math.max(0, Math.floor(opts.limits.outputBytes));
  return new Promise<RawRun>((resolve) => {
    const out = { chunks: [] as Buffer[], bytes: 0, truncated: false };
    const err = { chunks: [] as Buffer[], bytes: 0, truncated: false };
    let killedFor: RawRun["killedFor"] = null;
    let overflowStream: RawRun["overflowStream"];
    let exitCode: number | null = null;
    let signal: string | null = null;
    let settled = false;
    let exited = false;
    let graceTimer: NodeJS.Timeout | undefined;

    let child;
    try {
      // detached: the child leads a new process group, so one kill(-pid) reaches every wrapper.
      child = spawn(file, args, { cwd: opts.cwd, env: opts.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      resolve(emptyRun(started, `cannot start ${file}: ${(e as Error).message}`));
      return;
    }
    const pid = child.pid;
    if (pid) opts.onSpawn?.(pid);

    const killAll = (why: "wall" | "output") => {
      if (!killedFor) killedFor = why;
      killGroup(pid);
      if (opts.extraKill) void Promise.resolve(opts.extraKill()).catch(() => undefined);
    };

    const wallTimer = setTimeout(() => killAll("wall"), Math.max(1, opts.limits.wallMs));

    const collect = (sink: typeof out, name: "stdout" | "stderr") => (chunk: Buffer) => {
      if (sink.truncated) return;
      const room = cap - sink.bytes;
      if (chunk.length <= room) {
        sink.chunks.push(chunk);
        sink.bytes += chunk.length;
        return;
      }
      if (room > 0) sink.chunks.push(chunk.subarray(0, room));
      sink.bytes = cap;
      sink.truncated = true;
      if (!overflowStream) overflowStream = name;
      killAll("output");
      // Stop reading: whatever is still in flight must not pile up in memory.
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    child.stdout?.on("data", collect(out, "stdout"));
    child.stderr?.on("data", collect(err, "stderr"));
    child.stdout?.on("error", () => undefined);
    child.stderr?.on("error", () => undefined);

    const finish = (spawnError?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(wallTimer);
      if (graceTimer) clearTimeout(graceTimer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(out.chunks).toString("utf8"),
        stderr: Buffer.concat(err.chunks).toString("utf8"),
        stdoutTruncated: out.truncated,
        stderrTruncated: err.truncated,
        killedFor,
        overflowStream,
        durationMs: Date.now() - started,
        spawnError,
      });
    };

    child.on("error", (e) => {
      // Spawn failures arrive here (no 'exit' follows).
      if (!exited) finish(`cannot start ${file}: ${e.message}`);
    });
    child.on("exit", (code, sig) => {
      exited = true;
      exitCode = code;
      signal = sig;
      // Leftover members of the group (background children) would keep the pipes open.
      killGroup(pid);
      if (opts.extraKill) void Promise.resolve(opts.extraKill()).catch(() => undefined);
      graceTimer = setTimeout(() => finish(), opts.drainGraceMs ?? 2000);
    });
    child.on("close", () => finish());
  });
}

function emptyRun(started: number, spawnError: string): RawRun {
  return {
    exitCode: null,
    signal: null,
    stdout: "",
    stderr: "",
    stdoutTruncated: false,
    stderrTruncated: false,
    killedFor: null,
    durationMs: Date.now() - started,
    spawnError,
  };
}

/** Threads+processes whose real uid is `uid`: what RLIMIT_NPROC compares against. */
export function countTasksOfUid(uid: number): number {
  let n = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, "utf8");
      const real = /^Uid:\s+(\d+)/m.exec(status)?.[1];
      if (Number(real) === uid) n += Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? 1);
    } catch {
      // exited meanwhile
    }
  }
  return n;
}
