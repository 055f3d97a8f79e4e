/**
 * Run folders: every artifact is built in a hidden staging folder and moved into place at the
 * end, report.json last. A run that dies half-way leaves no report.json claiming success, and
 * an earlier run in the same folder is never overwritten silently.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, copyFileSync, statSync } from "node:fs";
import path from "node:path";

export class RunDirError extends Error {
  override name = "RunDirError";
}

/** The artifacts a finished run publishes, in publishing order (report.json last). */
export const ARTIFACT_ORDER = [
  "plan.md",
  "recipe.py",
  "check.py",
  "data.jsonl",
  "data.meta.jsonl",
  "steps.jsonl",
  "attempts",
  "trajectory.jsonl",
  "report.html",
  "report.json",
] as const;

/** A default output folder name: runs/<task>-<yyyymmdd-hhmmss>-s<seed>. */
export function defaultOutDir(taskId: string, seed: number, root = "runs", now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return path.resolve(root, `${taskId}-${stamp}-s${seed}`);
}

/**
 * Prepares `outDir` for a new run. Refuses a folder that already holds a run (report.json)
 * unless `force`, in which case the old artifacts are removed first.
 */
export function prepareOutDir(outDir: string, force = false): void {
  if (existsSync(outDir)) {
    if (!statSync(outDir).isDirectory()) throw new RunDirError(`${outDir}: exists and is not a folder`);
    if (existsSync(path.join(outDir, "report.json")) && !force)
      throw new RunDirError(`${outDir}: already holds a run (report.json); choose another --out or pass --force to replace it`);
    if (force) for (const name of ARTIFACT_ORDER) rmSync(path.join(outDir, name), { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
}

/** A hidden staging folder inside outDir where a run writes before publishing. */
export function stagingDir(outDir: string, runId: string): string {
  const dir = path.join(outDir, `.partial-${runId}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes a file atomically (temp file + rename). */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

/** Copies a file atomically. */
export function copyFileAtomic(src: string, dest: string): void {
  mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  copyFileSync(src, tmp);
  renameSync(tmp, dest);
}

/** Moves every artifact from the staging folder into outDir, report.json last, then removes staging. */
export function publishRun(staging: string, outDir: string): string[] {
  const present = new Set(readdirSync(staging));
  const order = [...ARTIFACT_ORDER.filter((n) => present.has(n)), ...[...present].filter((n) => !(ARTIFACT_ORDER as readonly string[]).includes(n)).sort()];
  // report.json must be the very last rename
  const reportLast = [...order.filter((n) => n !== "report.json"), ...order.filter((n) => n === "report.json")];
  for (const name of reportLast) {
    const dest = path.join(outDir, name);
    rmSync(dest, { recursive: true, force: true });
    renameSync(path.join(staging, name), dest);
  }
  rmSync(staging, { recursive: true, force: true });
  return reportLast;
}
