/**
 * Per-run pids cgroups (v1 `pids` hierarchy or v2 with the pids controller delegated).
 * The sandboxed command joins its cgroup through a tiny sh wrapper before exec, so even its
 * first fork is counted; the cgroup also lets us kill processes that left the process group.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** Finds the folder under which this process may create pids cgroups, or null. */
export function findPidsCgroupParent(): string | null {
  let mounts: string;
  let own: string;
  try {
    mounts = readFileSync("/proc/self/mounts", "utf8");
    own = readFileSync("/proc/self/cgroup", "utf8");
  } catch {
    return null;
  }
  const ownPath = (match: (controllers: string[], hierarchy: string) => boolean): string | null => {
    for (const line of own.split("\n")) {
      const [hierarchy, controllers, p] = splitCgroupLine(line);
      if (p !== undefined && match(controllers.split(","), hierarchy)) return p;
    }
    return null;
  };
  for (const line of mounts.split("\n")) {
    const [, mountPoint, fsType, options] = line.split(" ");
    if (!mountPoint) continue;
    if (fsType === "cgroup" && options?.split(",").includes("pids")) {
      const p = ownPath((c) => c.includes("pids"));
      if (p !== null) return path.join(mountPoint, p);
    }
  }
  for (const line of mounts.split("\n")) {
    const [, mountPoint, fsType] = line.split(" ");
    if (fsType !== "cgroup2" || !mountPoint) continue;
    const p = ownPath((_c, h) => h === "0");
    if (p === null) continue;
    const dir = path.join(mountPoint, p);
    // v2 children only get pids.max when the parent delegates the controller.
    const delegated = safeRead(path.join(dir, "cgroup.subtree_control")).split(/\s+/).includes("pids");
    if (delegated) return dir;
  }
  return null;
}

function splitCgroupLine(line: string): [string, string, string | undefined] {
  const first = line.indexOf(":");
  const second = line.indexOf(":", first + 1);
  if (first < 0 || second < 0) return ["", "", undefined];
  return [line.slice(0, first), line.slice(first + 1, second), line.slice(second + 1)];
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

const OWN_NAME = /^datachef-(\d+)-[0-9a-f]+$/;

/** Removes cgroups left by datachef processes that died (their sandboxes died with them). */
export async function sweepStaleCgroups(parent: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const owner = OWN_NAME.exec(name)?.[1];
    if (!owner || isAlive(Number(owner))) continue;
    if (await new PidsCgroup(path.join(parent, name)).remove()) removed++;
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export class PidsCgroup {
  constructor(readonly dir: string) {}

  /** Creates `<parent>/datachef-<pid>-<random>` with pids.max set; throws when the kernel refuses. */
  static async create(parent: string, maxPids: number): Promise<PidsCgroup> {
    const dir = path.join(parent, `datachef-${process.pid}-${randomBytes(4).toString("hex")}`);
    await mkdir(dir);
    const cg = new PidsCgroup(dir);
    try {
      await writeFile(path.join(dir, "pids.max"), String(Math.max(1, Math.floor(maxPids))));
    } catch (e) {
      await cg.remove();
      throw e;
    }
    return cg;
  }

  get procsFile(): string {
    return path.join(this.dir, "cgroup.procs");
  }

  async pids(): Promise<number[]> {
    try {
      const text = await readFile(this.procsFile, "utf8");
      return text.split("\n").filter(Boolean).map(Number).filter((n) => n > 0);
    } catch {
      return [];
    }
  }

  /** SIGKILLs every member, repeating while a fork race adds new ones. */
  async killAll(): Promise<void> {
    const killFile = path.join(this.dir, "cgroup.kill");
    if (existsSync(killFile)) {
      try {
        await writeFile(killFile, "1");
      } catch {
        // fall through to the per-pid loop
      }
    }
    for (let round = 0; round < 50; round++) {
      const pids = await this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await sleep(round < 5 ? 5 : 20);
    }
  }

  /** Kills what is left and removes the cgroup; removal retries while zombies are reaped. */
  async remove(): Promise<boolean> {
    await this.killAll();
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        await rmdir(this.dir);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return true;
        await sleep(20);
        await this.killAll();
      }
    }
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
