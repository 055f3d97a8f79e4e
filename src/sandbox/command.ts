/**
 * Turns an isolation plan (what the probe found working) plus one run's limits into the
 * wrapped argv: [cgroup join] -> prlimit -> (bwrap | unshare) with a uid drop -> program.
 * Pure: no I/O, so the exact command lines are unit-testable.
 */
import type { IsolationReport, RunLimits } from "./types.js";

export type Mechanism = "bubblewrap" | "unshare" | "none";

export interface IsolationPlan {
  mechanism: Mechanism;
  tools: { sh: string; prlimit?: string; setpriv?: string; bwrap?: string; unshare?: string };
  /** Absolute interpreter the sandboxed user can execute. */
  python: string;
  /** Unprivileged identity scripts run as, or null when they keep ours. */
  user: { uid: number; gid: number } | null;
  processLimit: "cgroup" | "rlimit-nproc" | "none";
  cgroupParent: string | null;
  /** Extra bwrap hardening flags the kernel accepted during the probe. */
  bwrapExtra: string[];
  report: IsolationReport;
}

export interface BindPath {
  /** Host path (file, folder or unix socket). */
  hostPath: string;
  /** Where it appears inside; defaults to hostPath. */
  sandboxPath?: string;
  readOnly?: boolean;
}

export interface CommandSpec {
  argv: string[];
  sandboxDir: string;
  /** Absolute working folder (inside sandboxDir). */
  cwd: string;
  limits: RunLimits;
  /** Absolute paths under sandboxDir to re-mount read-only (staged sources). */
  readOnlyPaths?: string[];
  binds?: BindPath[];
  /** The run's cgroup.procs file when the process limit is a cgroup. */
  cgroupProcs?: string;
  /**
   * Tasks the script's uid already has (RLIMIT_NPROC counts per uid, not per sandbox), so the
   * limit means "maxProcesses more" even beside concurrent sandboxes or the user's own shell.
   */
  nprocBaseline?: number;
}

/** bwrap's monitor and pid 1, or unshare and its sh, take pids in the cgroup. */
export const CGROUP_PID_OVERHEAD = 3;

/** Largest private /tmp and /dev/shm inside bwrap: they live in RAM (TMPDIR points into the sandbox). */
const TMPFS_MAX_BYTES = 256 * 1024 ** 2;

export function buildCommand(plan: IsolationPlan, spec: CommandSpec): { file: string; args: string[] } {
  let cmd = [...spec.argv];

  // The process right below us gets SIGKILL if we die (PR_SET_PDEATHSIG), so a crashed host
  // process leaves no sandbox behind. The uid drop clears that setting, hence one setpriv that
  // does both where the drop sits directly below us.
  if (plan.mechanism === "bubblewrap") {
    cmd = [...bwrapArgs(plan, spec), "--", ...cmd];
    cmd = [...setprivArgs(plan, { drop: Boolean(plan.user), noNewPrivs: false }), ...cmd];
  } else if (plan.mechanism === "unshare") {
    // unshare cannot re-raise every signal (SIGXCPU fails in util-linux 2.38), so a shell turns
    // the program's death by signal n into exit code 128+n first, as bwrap does.
    cmd = [plan.tools.sh, "-c", '"$@"; exit $?', "sh", ...cmd];
    if (plan.user) cmd = [...setprivArgs(plan, { drop: true, noNewPrivs: true }), ...cmd];
    cmd = [...unshareArgs(plan), ...cmd];
    cmd = [...setprivArgs(plan, { drop: false, noNewPrivs: false }), ...cmd];
  } else {
    cmd = [...setprivArgs(plan, { drop: Boolean(plan.user), noNewPrivs: Boolean(plan.user) }), ...cmd];
  }

  if (plan.tools.prlimit) cmd = [...prlimitArgs(plan, spec.limits, spec.nprocBaseline ?? 0), ...cmd];

  if (spec.cgroupProcs) {
    // $$ is the shell's pid, which exec keeps: the whole tree is counted from its first fork.
    cmd = [plan.tools.sh, "-c", 'echo $$ > "$0" && exec "$@"', spec.cgroupProcs, ...cmd];
  }
  const [file, ...args] = cmd;
  return { file: file!, args };
}

function prlimitArgs(plan: IsolationPlan, limits: RunLimits, nprocBaseline: number): string[] {
  const cpu = Math.max(1, Math.ceil(limits.cpuSeconds));
  const args = [
    plan.tools.prlimit!,
    `--as=${Math.floor(limits.memoryBytes)}`,
    // soft < hard: SIGXCPU first (a readable cause), SIGKILL one second later if it is caught.
    `--cpu=${cpu}:${cpu + 1}`,
    `--fsize=${Math.floor(limits.fileBytes)}`,
    "--core=0",
  ];
  if (plan.processLimit === "rlimit-nproc") args.push(`--nproc=${Math.max(1, Math.floor(limits.maxProcesses)) + nprocBaseline}`);
  args.push("--");
  return args;
}

function setprivArgs(plan: IsolationPlan, o: { drop: boolean; noNewPrivs: boolean }): string[] {
  if (!plan.tools.setpriv) return [];
  const args = [plan.tools.setpriv];
  if (o.drop && plan.user) args.push(`--reuid=${plan.user.uid}`, `--regid=${plan.user.gid}`, "--clear-groups");
  // bwrap sets no_new_privs on its child itself, and a setuid bwrap would break under it.
  if (o.noNewPrivs) args.push("--no-new-privs");
  args.push("--pdeathsig", "SIGKILL", "--");
  return args;
}

function unshareArgs(plan: IsolationPlan): string[] {
  // A pid namespace whose init dies with unshare: killing the group then ends every descendant.
  return [plan.tools.unshare!, "--net", "--ipc", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc", "--"];
}

function bwrapArgs(plan: IsolationPlan, spec: CommandSpec): string[] {
  const tmpSize = Math.min(TMPFS_MAX_BYTES, Math.floor(spec.limits.fileBytes));
  const args = [
    plan.tools.bwrap!,
    "--unshare-all",
    ...plan.bwrapExtra,
    "--die-with-parent",
    "--new-session",
    "--cap-drop",
    "ALL",
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--size",
    String(tmpSize),
    "--tmpfs",
    "/tmp",
    "--size",
    String(tmpSize),
    "--tmpfs",
    "/dev/shm",
    "--bind",
    spec.sandboxDir,
    spec.sandboxDir,
  ];
  for (const p of spec.readOnlyPaths ?? []) args.push("--ro-bind", p, p);
  for (const b of spec.binds ?? []) args.push(b.readOnly ? "--ro-bind" : "--bind", b.hostPath, b.sandboxPath ?? b.hostPath);
  args.push("--chdir", spec.cwd);
  return args;
}
