import { buildCommand, type IsolationPlan } from "./command.js";
import { DEFAULT_LIMITS, type RunLimits } from "./types.js";

const tools = { sh: "/bin/sh", prlimit: "/usr/bin/prlimit", setpriv: "/usr/bin/setpriv", bwrap: "/usr/bin/bwrap", unshare: "/usr/bin/unshare" };

function plan(over: Partial<IsolationPlan>): IsolationPlan {
  return {
    mechanism: "bubblewrap",
    tools,
    python: "/usr/bin/python3",
    user: { uid: 65534, gid: 65534 },
    processLimit: "cgroup",
    cgroupParent: "/sys/fs/cgroup/pids",
    bwrapExtra: [],
    report: { kind: "local", mechanism: "bubblewrap", network: false, readOnlyRoot: true, processLimit: "cgroup", warnings: [] },
    ...over,
  };
}

const limits: RunLimits = { ...DEFAULT_LIMITS, memoryBytes: 512 * 1024 ** 2, cpuSeconds: 5, fileBytes: 1024 ** 2, maxProcesses: 32 };
const spec = {
  argv: ["/usr/bin/python3", "recipe.py"],
  sandboxDir: "/tmp/sbx",
  cwd: "/tmp/sbx",
  limits,
  readOnlyPaths: ["/tmp/sbx/sources/a.jsonl"],
  binds: [{ hostPath: "/run/bridge.sock", sandboxPath: "/tmp/sbx/bridge.sock" }],
};

const indexOf = (args: string[], item: string) => {
  const i = args.indexOf(item);
  if (i < 0) throw new Error(`${item} missing from ${args.join(" ")}`);
  return i;
};

describe("buildCommand", () => {
  test("bubblewrap: cgroup join, then prlimit, then the uid drop, then bwrap, then the program", () => {
    const { file, args } = buildCommand(plan({}), { ...spec, cgroupProcs: "/sys/fs/cgroup/pids/x/cgroup.procs" });
    expect(file).toBe("/bin/sh");
    expect(args.slice(0, 3)).toEqual(["-c", 'echo $$ > "$0" && exec "$@"', "/sys/fs/cgroup/pids/x/cgroup.procs"]);
    const order = ["/usr/bin/prlimit", "/usr/bin/setpriv", "/usr/bin/bwrap", "/usr/bin/python3"].map((t) => indexOf(args, t));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(args).toEqual(expect.arrayContaining([`--as=${512 * 1024 ** 2}`, "--cpu=5:6", `--fsize=${1024 ** 2}`, "--core=0"]));
    expect(args.some((a) => a.startsWith("--nproc"))).toBe(false); // the cgroup counts, not the uid
    expect(args).toEqual(expect.arrayContaining(["--reuid=65534", "--regid=65534", "--clear-groups"]));
    expect(args).not.toContain("--no-new-privs"); // would break a setuid bwrap
    // the uid drop and the parent-death signal sit in the same setpriv (a later drop would clear it)
    expect(args.slice(indexOf(args, "/usr/bin/setpriv"), indexOf(args, "/usr/bin/bwrap")).join(" ")).toBe(
      "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --pdeathsig SIGKILL --",
    );
    const bw = args.slice(indexOf(args, "/usr/bin/bwrap"));
    for (const flag of ["--unshare-all", "--die-with-parent", "--new-session"]) expect(bw).toContain(flag);
    const seq = bw.join(" ");
    expect(seq).toContain("--cap-drop ALL");
    expect(seq).toContain("--ro-bind / /");
    // private, size-capped /tmp and /dev/shm first, then the one writable host folder on top
    expect(seq).toMatch(/--size \d+ --tmpfs \/tmp --size \d+ --tmpfs \/dev\/shm --bind \/tmp\/sbx \/tmp\/sbx/);
    // read-only staged files are mounted after (so on top of) the writable sandbox folder
    expect(seq.indexOf("--ro-bind /tmp/sbx/sources/a.jsonl /tmp/sbx/sources/a.jsonl")).toBeGreaterThan(seq.indexOf("--bind /tmp/sbx /tmp/sbx"));
    expect(seq).toContain("--bind /run/bridge.sock /tmp/sbx/bridge.sock");
    expect(seq).toContain("--chdir /tmp/sbx -- /usr/bin/python3 recipe.py");
  });

  test("rlimit-nproc sets --nproc and no cgroup wrapper", () => {
    const { file, args } = buildCommand(plan({ processLimit: "rlimit-nproc" }), spec);
    expect(file).toBe("/usr/bin/prlimit");
    expect(args).toContain("--nproc=32");
    // RLIMIT_NPROC counts every task of the uid: the limit sits on top of what it already runs
    expect(buildCommand(plan({ processLimit: "rlimit-nproc" }), { ...spec, nprocBaseline: 5 }).args).toContain("--nproc=37");
  });

  test("unshare: new namespaces as root, then the uid drop with no_new_privs, then a signal-reporting shell", () => {
    const { args } = buildCommand(plan({ mechanism: "unshare", processLimit: "none" }), spec);
    const seq = args.join(" ");
    expect(seq).toContain(
      "/usr/bin/setpriv --pdeathsig SIGKILL -- /usr/bin/unshare --net --ipc --uts --pid --fork --kill-child --mount-proc -- " +
        '/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --pdeathsig SIGKILL -- /bin/sh -c "$@"; exit $? sh /usr/bin/python3 recipe.py',
    );
    expect(args).not.toContain("/usr/bin/bwrap");
  });

  test("none without a uid drop is prlimit and the parent-death signal around the program", () => {
    const { file, args } = buildCommand(plan({ mechanism: "none", user: null, processLimit: "none" }), spec);
    expect(file).toBe("/usr/bin/prlimit");
    expect(args.slice(-6)).toEqual(["/usr/bin/setpriv", "--pdeathsig", "SIGKILL", "--", "/usr/bin/python3", "recipe.py"]);
  });
});
