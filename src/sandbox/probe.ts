/**
 * Isolation feature detection for LocalSandbox, done once per option set and cached.
 * Nothing is assumed from versions or config files: every feature is tried for real with a
 * trusted probe script (network interfaces, read-only root, a BOUNDED fork loop) and only what
 * demonstrably works is used. What is missing becomes a loud warning, never silence.
 */
import { execFile } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import { chmod, chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PidsCgroup, findPidsCgroupParent, sweepStaleCgroups } from "./cgroup.js";
import { buildCommand, CGROUP_PID_OVERHEAD, type IsolationPlan, type Mechanism } from "./command.js";
import { countTasksOfUid, spawnSupervised } from "./process.js";
import { DEFAULT_LIMITS, type IsolationReport, type RunLimits } from "./types.js";

export type { IsolationPlan, Mechanism } from "./command.js";

export interface ProbeOptions {
  /** "auto" tries bubblewrap, then unshare, then none. Forcing a mechanism that fails falls to "none" with warnings. */
  isolation?: "auto" | Mechanism;
  /** Identity scripts run as when we are root (default nobody, 65534:65534); false keeps ours. */
  user?: { uid: number; gid: number } | false;
  /** Preferred interpreter; used when the sandbox user can execute it. */
  python?: string;
  processLimit?: "auto" | "cgroup" | "rlimit-nproc" | "none";
  /** Do not print warnings to stderr (they stay in the report). */
  quiet?: boolean;
}

export const NOBODY = { uid: 65534, gid: 65534 };
const WARN_PREFIX = "[datachef sandbox] WARNING:";

/** Fork-probe bounds: the cap that must stop forks, and the script's own hard stop. */
const PROBE_MAX_PROCESSES = 12;
const PROBE_FORK_HARD_STOP = 48;

const cache = new Map<string, Promise<IsolationPlan>>();

export function probeIsolation(opts: ProbeOptions = {}): Promise<IsolationPlan> {
  // Only what changes the outcome keys the cache (callers pass their whole sandbox options).
  const probeOpts: ProbeOptions = { isolation: opts.isolation, user: opts.user, python: opts.python, processLimit: opts.processLimit };
  const key = JSON.stringify(probeOpts);
  let p = cache.get(key);
  if (!p) {
    p = runProbe(probeOpts);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p.then((plan) => {
    if (!opts.quiet) printWarningsOnce(plan.report);
    return plan;
  });
}

/** For tests: forget cached probe results. */
export function resetIsolationProbeCache(): void {
  cache.clear();
  printed.clear();
}

const printed = new Set<string>();
function printWarningsOnce(report: IsolationReport): void {
  for (const w of report.warnings) {
    if (printed.has(w)) continue;
    printed.add(w);
    process.stderr.write(`${WARN_PREFIX} ${w}\n`);
  }
}

/** One line for logs and reports, e.g. "local sandbox via bubblewrap: no network, ...". */
export function describeIsolation(r: IsolationReport): string {
  const parts = [
    r.network ? "NETWORK ALLOWED" : "no network",
    r.readOnlyRoot ? "read-only root" : "root filesystem NOT read-only",
    r.processLimit === "none" ? "NO process limit" : `process limit: ${r.processLimit}`,
  ];
  if (r.user) parts.push(`runs as ${r.user}`);
  const head = r.kind === "e2b" ? `e2b cloud sandbox (${r.mechanism})` : `local sandbox via ${r.mechanism}`;
  const warn = r.warnings.length ? ` — ${r.warnings.length} warning(s): ${r.warnings.join("; ")}` : "";
  return `${head}: ${parts.join(", ")}${warn}`;
}

// ---------------------------------------------------------------------------------------------

const SYSTEM_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin"];

/** System folders first: a user-writable PATH entry must not pick our isolation tools. */
export function findTool(name: string): string | undefined {
  const dirs = [...SYSTEM_DIRS, ...(process.env.PATH ?? "").split(path.delimiter).filter(Boolean)];
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      accessSync(p, fsConstants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

// The interpreter must see its own installation: a pyenv binary under a private /root can still
// be exec-ed by a dropped uid, then silently picks up another Python's stdlib.
const CHECK_SCRIPT = `
import json, os, socket, sys
own = os.path.realpath(json.__file__).startswith(os.path.realpath(sys.base_prefix) + os.sep)
if not (own and os.access(sys.executable, os.X_OK)):
    sys.exit("interpreter cannot read its own installation as this user")
try:
    ifaces = [n for _, n in socket.if_nameindex()]
except OSError:
    ifaces = []
ro = bool(os.statvfs("/").f_flag & os.ST_RDONLY)
print(json.dumps({"uid": os.getuid(), "ifaces": ifaces, "ro": ro}))
`;

// Bounded on its own: at most HARD_STOP children, each blocked on a pipe that closes when the
// parent finishes, so even an unconfined run of this probe cannot hurt the host.
const FORK_SCRIPT = `
import os, sys
hard_stop = int(sys.argv[1])
r, w = os.pipe()
children, err = [], ""
for _ in range(hard_stop):
    try:
        pid = os.fork()
    except OSError as e:
        err = type(e).__name__ + ": " + str(e)
        break
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    children.append(pid)
os.close(w)
for pid in children:
    os.waitpid(pid, 0)
print(len(children), err)
`;

const MINIMAL_ENV = { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8" };

interface ProbeDir {
  dir: string;
  forkScript: string;
}

async function runProbe(opts: ProbeOptions): Promise<IsolationPlan> {
  const warnings: string[] = [];
  const isRoot = process.getuid?.() === 0;
  const tools = {
    sh: findTool("sh") ?? "/bin/sh",
    prlimit: findTool("prlimit"),
    setpriv: findTool("setpriv"),
    bwrap: findTool("bwrap"),
    unshare: findTool("unshare"),
  };
  if (!tools.prlimit) warnings.push("prlimit not found: no memory, CPU or file-size limits (only wall-time and output limits apply)");

  const probe = await makeProbeDir();
  try {
    // 1. Who scripts run as, and with which interpreter.
    let user: IsolationPlan["user"] = null;
    const wantUser = opts.user === false ? null : (opts.user ?? NOBODY);
    if (wantUser && isRoot && !tools.setpriv) {
      warnings.push("setpriv not found: scripts keep running as root");
    }
    const canDrop = Boolean(wantUser && isRoot && tools.setpriv);
    const candidates = await pythonCandidates(opts.python);
    let python: string | undefined;
    if (canDrop) {
      await chown(probe.dir, wantUser!.uid, wantUser!.gid);
      for (const c of candidates) {
        const plan = basePlan(tools, c, wantUser, "none");
        const r = await runCheck(plan, probe.dir);
        if (r?.uid === wantUser!.uid) {
          python = c;
          user = wantUser;
          break;
        }
      }
      if (!user) warnings.push(`cannot run python as uid ${wantUser!.uid} (tried ${candidates.join(", ")}): scripts keep running as root`);
    }
    python ??= candidates[0] ?? "/usr/bin/python3";
    if (!user && isRoot) {
      await chown(probe.dir, 0, 0);
      warnings.push("scripts run as root: only read-only mounts (not file permissions) protect staged sources");
    }

    // 2. The namespace mechanism.
    const order: Mechanism[] = !opts.isolation || opts.isolation === "auto" ? ["bubblewrap", "unshare"] : [opts.isolation];
    let mechanism: Mechanism = "none";
    let bwrapExtra: string[] = [];
    let network = true;
    let readOnlyRoot = false;
    const failures: string[] = [];
    for (const m of order) {
      if (m === "none") break;
      if (m === "bubblewrap" && !tools.bwrap) {
        failures.push("bubblewrap: not installed (apt-get install -y bubblewrap)");
        continue;
      }
      if (m === "unshare" && !tools.unshare) {
        failures.push("unshare: not installed");
        continue;
      }
      // Hardening first (no nested user namespaces), then the plain variant.
      const variants = m === "bubblewrap" && user ? [["--unshare-user", "--disable-userns"], []] : [[]];
      let ok = false;
      let lastError = "";
      for (const extra of variants) {
        const plan = { ...basePlan(tools, python, user, m), bwrapExtra: extra };
        const r = await runCheck(plan, probe.dir, (e) => (lastError = e));
        if (!r) continue;
        if (r.ifaces.some((n) => n !== "lo")) {
          lastError = `network namespace still shows ${r.ifaces.join(", ")}`;
          continue;
        }
        mechanism = m;
        bwrapExtra = extra;
        network = false;
        readOnlyRoot = r.ro;
        ok = true;
        break;
      }
      if (ok) break;
      failures.push(`${m}: ${lastError || "failed"}`);
    }
    if (mechanism === "none") {
      const why = opts.isolation === "none" ? "isolation disabled by configuration" : failures.join("; ");
      warnings.push(
        `NO ISOLATION: scripts run with network access and can write wherever their user can (${why}). Install bubblewrap: apt-get install -y bubblewrap`,
      );
    } else if (mechanism === "unshare") {
      if (failures.length) warnings.push(`bubblewrap unusable (${failures.join("; ")}); using unshare`);
      warnings.push(
        "unshare mode: no network, but the root filesystem is not read-only; only file permissions protect the host" +
          (user ? "" : " and scripts run as root"),
      );
    } else if (!readOnlyRoot) {
      warnings.push("bubblewrap did not make / read-only");
    }

    // 3. The process limit, proven with a bounded fork loop before it is trusted.
    const limitOrder: Array<"cgroup" | "rlimit-nproc"> =
      !opts.processLimit || opts.processLimit === "auto"
        ? ["cgroup", "rlimit-nproc"]
        : opts.processLimit === "none"
          ? []
          : [opts.processLimit];
    let processLimit: IsolationPlan["processLimit"] = "none";
    let cgroupParent: string | null = null;
    const limitFailures: string[] = [];
    for (const kind of limitOrder) {
      if (kind === "cgroup") {
        // Non-root works too where a pids controller is delegated to us (the probe finds out).
        const parent = findPidsCgroupParent();
        if (!parent) {
          limitFailures.push("cgroup: no pids cgroup hierarchy");
          continue;
        }
        const res = await forkProbe({ ...basePlan(tools, python, user, mechanism), bwrapExtra, processLimit: "cgroup", cgroupParent: parent }, probe);
        if (res.contained) {
          processLimit = "cgroup";
          cgroupParent = parent;
          await sweepStaleCgroups(parent);
          break;
        }
        limitFailures.push(`cgroup: ${res.detail}`);
      } else {
        if (!user && isRoot) {
          limitFailures.push("rlimit-nproc: needs an unprivileged uid (root ignores RLIMIT_NPROC)");
          continue;
        }
        if (!tools.prlimit) {
          limitFailures.push("rlimit-nproc: prlimit not found");
          continue;
        }
        const res = await forkProbe({ ...basePlan(tools, python, user, mechanism), bwrapExtra, processLimit: "rlimit-nproc" }, probe);
        if (res.contained) {
          processLimit = "rlimit-nproc";
          break;
        }
        limitFailures.push(`rlimit-nproc: ${res.detail}`);
      }
    }
    if (processLimit === "none") {
      const why = opts.processLimit === "none" ? "disabled by configuration" : limitFailures.join("; ");
      warnings.push(`NO PROCESS LIMIT: a fork bomb would not be contained (${why})`);
    }

    const report: IsolationReport = {
      kind: "local",
      mechanism,
      network,
      readOnlyRoot,
      processLimit,
      warnings,
      user: user ? `uid ${user.uid}` : isRoot ? "root" : `uid ${process.getuid?.() ?? "?"}`,
      python,
    };
    return { mechanism, tools, python, user, processLimit, cgroupParent, bwrapExtra, report };
  } finally {
    await rm(probe.dir, { recursive: true, force: true });
  }
}

/** The real uid scripts run under. */
export function sandboxUid(plan: IsolationPlan): number {
  return plan.user?.uid ?? process.getuid?.() ?? 0;
}

function basePlan(
  tools: IsolationPlan["tools"],
  python: string,
  user: IsolationPlan["user"],
  mechanism: Mechanism,
): IsolationPlan {
  return {
    mechanism,
    tools,
    python,
    user,
    processLimit: "none",
    cgroupParent: null,
    bwrapExtra: [],
    report: { kind: "local", mechanism, network: true, readOnlyRoot: false, processLimit: "none", warnings: [] },
  };
}

async function makeProbeDir(): Promise<ProbeDir> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "datachef-probe-"));
  await chmod(dir, 0o755);
  const forkScript = path.join(dir, "fork_probe.py");
  await writeFile(forkScript, FORK_SCRIPT, { mode: 0o444 });
  await chmod(forkScript, 0o444);
  return { dir, forkScript };
}

/** The host's python3 resolved to its real executable (pyenv shims need the host env). */
async function pythonCandidates(preferred?: string): Promise<string[]> {
  const out: string[] = [];
  if (preferred) out.push(preferred);
  const host = await new Promise<string | undefined>((resolve) => {
    execFile("python3", ["-c", "import sys; print(sys.executable)"], { timeout: 10_000 }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim() || undefined),
    );
  });
  if (host) out.push(host);
  out.push("/usr/bin/python3", "/usr/local/bin/python3");
  return [...new Set(out)].filter((p) => {
    try {
      accessSync(p, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const PROBE_LIMITS: RunLimits = { ...DEFAULT_LIMITS, wallMs: 15_000, cpuSeconds: 10, outputBytes: 64 * 1024, maxProcesses: PROBE_MAX_PROCESSES };

async function runCheck(
  plan: IsolationPlan,
  dir: string,
  onError?: (e: string) => void,
): Promise<{ uid: number; ifaces: string[]; ro: boolean } | null> {
  const { file, args } = buildCommand(plan, {
    argv: [plan.python, "-c", CHECK_SCRIPT],
    sandboxDir: dir,
    cwd: dir,
    limits: PROBE_LIMITS,
  });
  const r = await spawnSupervised(file, args, { env: { ...MINIMAL_ENV, HOME: dir }, cwd: dir, limits: PROBE_LIMITS });
  if (r.exitCode !== 0) {
    onError?.(r.spawnError ?? (r.stderr.trim().split("\n").pop() || `exit ${r.exitCode ?? r.signal}`));
    return null;
  }
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "");
  } catch {
    onError?.(`unexpected output: ${r.stdout.slice(0, 200)}`);
    return null;
  }
}

async function forkProbe(plan: IsolationPlan, probe: ProbeDir): Promise<{ contained: boolean; detail: string }> {
  let cg: PidsCgroup | null = null;
  try {
    if (plan.processLimit === "cgroup") {
      cg = await PidsCgroup.create(plan.cgroupParent!, PROBE_MAX_PROCESSES + CGROUP_PID_OVERHEAD);
    }
  } catch (e) {
    return { contained: false, detail: `cannot create a cgroup (${(e as Error).message})` };
  }
  try {
    const { file, args } = buildCommand(plan, {
      argv: [plan.python, probe.forkScript, String(PROBE_FORK_HARD_STOP)],
      sandboxDir: probe.dir,
      cwd: probe.dir,
      limits: PROBE_LIMITS,
      cgroupProcs: cg?.procsFile,
      nprocBaseline: plan.processLimit === "rlimit-nproc" ? countTasksOfUid(sandboxUid(plan)) : 0,
    });
    const r = await spawnSupervised(file, args, {
      env: { ...MINIMAL_ENV, HOME: probe.dir },
      cwd: probe.dir,
      limits: PROBE_LIMITS,
      extraKill: cg ? () => cg!.killAll() : undefined,
    });
    const m = /^(\d+) (.*)$/m.exec(r.stdout);
    if (r.exitCode !== 0 || !m) {
      return { contained: false, detail: `probe failed (${r.spawnError ?? r.stderr.trim().split("\n").pop() ?? r.exitCode})` };
    }
    const forks = Number(m[1]);
    const stoppedByLimit = forks < PROBE_FORK_HARD_STOP && /BlockingIOError|Errno 11/.test(m[2] ?? "");
    return stoppedByLimit
      ? { contained: true, detail: `forks stopped after ${forks}` }
      : { contained: false, detail: `${forks} forks went through (${m[2] || "no error"})` };
  } finally {
    await cg?.remove();
  }
}
