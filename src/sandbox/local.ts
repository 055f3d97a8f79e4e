/**
 * LocalSandbox: python3 in a fresh temporary folder, isolated with the best mechanism the probe
 * proved (bubblewrap > unshare > none, loudly), limited by prlimit, a pids cgroup or
 * RLIMIT_NPROC under a dropped uid, a wall-time timer and capped output capture.
 *
 * File ownership model (when we are root and drop to an unprivileged uid):
 * - the sandbox folder and what writeFile creates belong to the sandbox user, so scripts can
 *   write there and nowhere else;
 * - read-only staged files are root-owned copies, mode 0444, in root-owned folders, and bwrap
 *   additionally re-mounts each of them read-only. Copies, not hard links: a link shares the
 *   inode, so chmod (or a write) would reach the user's original file.
 * Host-side reads and writes never follow a symlink out of the folder (a script may plant one).
 */
import { randomBytes } from "node:crypto";
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { chmod, chown, copyFile, lstat, mkdir, mkdtemp, open, realpath, rm, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PidsCgroup } from "./cgroup.js";
import { classifyExit } from "./classify.js";
import { buildCommand, CGROUP_PID_OVERHEAD, type BindPath, type IsolationPlan } from "./command.js";
import { probeIsolation, sandboxUid, type ProbeOptions } from "./probe.js";
import { countTasksOfUid, killGroup, spawnSupervised } from "./process.js";
import { DEFAULT_LIMITS, type IsolationReport, type RunLimits, type RunOptions, type RunResult, type Sandbox } from "./types.js";

export type { BindPath } from "./command.js";

export interface LocalSandboxOptions extends ProbeOptions {
  /** Defaults for every run of this sandbox (each run may override). */
  limits?: Partial<RunLimits>;
  /** Keep the folder on close (debugging). */
  keep?: boolean;
  /** Parent of the sandbox folder (default os.tmpdir()); must be traversable by the sandbox user. */
  baseDir?: string;
  /**
   * Host paths made visible inside every run (bubblewrap binds them; other mechanisms see the
   * host anyway). The extension point for the LLM bridge's unix socket.
   */
  bindPaths?: BindPath[];
}

export interface LocalRunOptions extends RunOptions {
  /** Extra binds for this run only. */
  bindPaths?: BindPath[];
}

const BASE_PATH = ["/usr/local/bin", "/usr/bin", "/bin"];

export class LocalSandbox implements Sandbox {
  readonly kind = "local" as const;
  readonly id: string;
  private closed = false;
  private readonly readOnlyPaths = new Set<string>();
  private readonly active = new Set<() => Promise<void>>();

  private constructor(
    /** Host path of the sandbox folder. */
    readonly root: string,
    private readonly plan: IsolationPlan,
    private readonly opts: LocalSandboxOptions,
  ) {
    this.id = `local-${path.basename(root).replace(/^datachef-sbx-/, "")}-${randomBytes(2).toString("hex")}`;
  }

  static async create(opts: LocalSandboxOptions = {}): Promise<LocalSandbox> {
    const plan = await probeIsolation(opts);
    const base = opts.baseDir ?? os.tmpdir();
    if (plan.user) assertTraversable(base, plan.user.uid);
    const root = await realpath(await mkdtemp(path.join(base, "datachef-sbx-")));
    await chmod(root, 0o755);
    const sb = new LocalSandbox(root, plan, opts);
    await sb.giveToUser(root);
    // TMPDIR lives inside, so temp files count against the sandbox, not host RAM or /tmp.
    await sb.ensureDir(".tmp", true);
    return sb;
  }

  /** The interpreter `python3` runs as here. */
  get python(): string {
    return this.plan.python;
  }

  isolation(): IsolationReport {
    const r = this.plan.report;
    const warnings = [...r.warnings];
    if (!this.plan.user && this.plan.mechanism !== "bubblewrap" && this.readOnlyPaths.size > 0) {
      warnings.push("staged read-only files are protected by chmod only while scripts run with our uid");
    }
    return { ...r, warnings };
  }

  async writeFile(relPath: string, content: string | Uint8Array): Promise<void> {
    this.assertOpen();
    const target = this.hostPath(relPath);
    await this.ensureDir(path.dirname(path.relative(this.root, target)), true);
    await this.clearTarget(target);
    await writeFile(target, content, { flag: "wx", mode: 0o644 });
    await this.giveToUser(target);
    this.readOnlyPaths.delete(target);
  }

  async stageFile(hostPath: string, relPath: string, opts: { readOnly?: boolean } = {}): Promise<void> {
    this.assertOpen();
    const info = await stat(hostPath);
    if (!info.isFile()) throw new Error(`stageFile: ${hostPath} is not a regular file`);
    const target = this.hostPath(relPath);
    await this.ensureDir(path.dirname(path.relative(this.root, target)), !opts.readOnly);
    await this.clearTarget(target);
    await copyFile(hostPath, target, fsConstants.COPYFILE_EXCL | fsConstants.COPYFILE_FICLONE);
    if (opts.readOnly) {
      await chmod(target, 0o444);
      this.readOnlyPaths.add(target);
    } else {
      await chmod(target, 0o644);
      await this.giveToUser(target);
      this.readOnlyPaths.delete(target);
    }
  }

  async readFile(relPath: string): Promise<Uint8Array> {
    this.assertOpen();
    const real = await this.realInside(relPath);
    // O_NOFOLLOW: the last component cannot be swapped for a link after the check.
    const fh = await open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    try {
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  async exists(relPath: string): Promise<boolean> {
    this.assertOpen();
    try {
      await this.realInside(relPath);
      return true;
    } catch {
      return false;
    }
  }

  async run(argv: string[], opts: LocalRunOptions = {}): Promise<RunResult> {
    this.assertOpen();
    if (argv.length === 0) throw new Error("run: empty argv");
    const limits: RunLimits = { ...DEFAULT_LIMITS, ...this.opts.limits, ...opts.limits };
    const cwd = opts.cwd ? this.hostPath(opts.cwd) : this.root;
    const program = this.resolveProgram(argv[0]!);
    const env = this.runEnv(opts.env);

    let cg: PidsCgroup | null = null;
    if (this.plan.processLimit === "cgroup") {
      try {
        cg = await PidsCgroup.create(this.plan.cgroupParent!, limits.maxProcesses + CGROUP_PID_OVERHEAD);
      } catch (e) {
        // Fail closed: the probe promised a process limit, so do not run without one.
        return failedRun(`cannot create the run's pids cgroup: ${(e as Error).message}`);
      }
    }
    const { file, args } = buildCommand(this.plan, {
      argv: [program, ...argv.slice(1)],
      sandboxDir: this.root,
      cwd,
      limits,
      readOnlyPaths: [...this.readOnlyPaths],
      binds: [...(this.opts.bindPaths ?? []), ...(opts.bindPaths ?? [])],
      cgroupProcs: cg?.procsFile,
      nprocBaseline: this.plan.processLimit === "rlimit-nproc" ? countTasksOfUid(sandboxUid(this.plan)) : 0,
    });

    let pgid: number | undefined;
    const abort = async () => {
      killGroup(pgid);
      await cg?.killAll();
    };
    this.active.add(abort);
    try {
      const raw = await spawnSupervised(file, args, {
        env,
        cwd,
        limits,
        extraKill: cg ? () => cg!.killAll() : undefined,
        onSpawn: (pid) => (pgid = pid),
      });
      const c = classifyExit({ ...raw, exitCodeMaySignal: this.plan.mechanism !== "none" }, limits);
      const joinFailed = cg && raw.exitCode !== 0 && raw.stderr.includes(cg.procsFile);
      const sandboxError = raw.spawnError ?? (joinFailed ? `cannot join the run's pids cgroup: ${raw.stderr.trim()}` : undefined);
      return {
        exitCode: raw.exitCode,
        signal: c.signal,
        stdout: raw.stdout,
        stderr: raw.stderr,
        timedOut: raw.killedFor === "wall",
        limitHit: c.limitHit,
        stdoutTruncated: raw.stdoutTruncated,
        stderrTruncated: raw.stderrTruncated,
        durationMs: raw.durationMs,
        reason: sandboxError ? `sandbox error: ${sandboxError}` : c.reason,
        sandboxError,
      };
    } finally {
      this.active.delete(abort);
      await cg?.remove();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.active].map((abort) => abort()));
    if (!this.opts.keep) await rm(this.root, { recursive: true, force: true });
  }

  // -------------------------------------------------------------------------------------------

  private assertOpen(): void {
    if (this.closed) throw new Error(`sandbox ${this.id} is closed`);
  }

  /** Host path for a sandbox-relative path; refuses anything that leaves the folder. */
  private hostPath(relPath: string): string {
    const p = path.resolve(this.root, relPath);
    if (p !== this.root && !p.startsWith(this.root + path.sep)) {
      throw new Error(`path escapes the sandbox: ${relPath}`);
    }
    return p;
  }

  private async realInside(relPath: string): Promise<string> {
    const real = await realpath(this.hostPath(relPath));
    if (real !== this.root && !real.startsWith(this.root + path.sep)) {
      throw new Error(`path resolves outside the sandbox: ${relPath}`);
    }
    return real;
  }

  /** Creates each missing folder; refuses symlinked or non-folder components. */
  private async ensureDir(relDir: string, userOwned: boolean): Promise<void> {
    let cur = this.root;
    for (const part of relDir.split(path.sep).filter((s) => s && s !== ".")) {
      cur = path.join(cur, part);
      const st = await lstat(cur).catch(() => null);
      if (st) {
        if (!st.isDirectory()) throw new Error(`not a folder inside the sandbox: ${path.relative(this.root, cur)}`);
        continue;
      }
      await mkdir(cur, { mode: 0o755 });
      await chmod(cur, 0o755);
      if (userOwned) await this.giveToUser(cur);
    }
  }

  /** Removes an existing file so the new one is a fresh inode we create (never a planted link). */
  private async clearTarget(target: string): Promise<void> {
    const st = await lstat(target).catch(() => null);
    if (!st) return;
    if (st.isDirectory()) throw new Error(`a folder is in the way: ${path.relative(this.root, target)}`);
    await unlink(target);
  }

  private async giveToUser(p: string): Promise<void> {
    if (this.plan.user) await chown(p, this.plan.user.uid, this.plan.user.gid);
  }

  private resolveProgram(name: string): string {
    if (name === "python3" || name === "python") return this.plan.python;
    if (name.includes("/")) return name;
    for (const dir of BASE_PATH) {
      const p = path.join(dir, name);
      try {
        accessSync(p, fsConstants.X_OK);
        return p;
      } catch {
        // next
      }
    }
    return name;
  }

  /** Minimal environment: nothing of the host's (no API keys) unless the caller passes it. */
  private runEnv(extra: Record<string, string> = {}): Record<string, string> {
    const pathDirs = [...new Set([path.dirname(this.plan.python), ...BASE_PATH])];
    return {
      PATH: pathDirs.join(":"),
      HOME: this.root,
      TMPDIR: path.join(this.root, ".tmp"),
      PYTHONDONTWRITEBYTECODE: "1",
      PYTHONUNBUFFERED: "1",
      LANG: "C.UTF-8",
      LC_ALL: "C.UTF-8",
      ...extra,
    };
  }
}

function failedRun(sandboxError: string): RunResult {
  return {
    exitCode: null,
    signal: null,
    stdout: "",
    stderr: "",
    timedOut: false,
    stdoutTruncated: false,
    stderrTruncated: false,
    durationMs: 0,
    reason: `sandbox error: ${sandboxError}`,
    sandboxError,
  };
}

/** The dropped uid must be able to reach the folder; say so early instead of failing in bwrap. */
function assertTraversable(dir: string, uid: number): void {
  let cur = path.resolve(dir);
  for (;;) {
    const st = statSync(cur);
    const ok = st.uid === uid ? (st.mode & 0o100) !== 0 : (st.mode & 0o001) !== 0;
    if (!ok) {
      throw new Error(`sandbox baseDir ${dir}: ${cur} is not traversable by uid ${uid}; pick a folder like ${os.tmpdir()}`);
    }
    const parent = path.dirname(cur);
    if (parent === cur) return;
    cur = parent;
  }
}
