/**
 * Turns what a user typed ("tasks/my_task.json", "my_task", "this task") into files, with a reply that
 * says where it looked when nothing matches.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadTaskSpec } from "../../src/task/spec.js";

export type Resolved = { ok: true; path: string } | { ok: false; message: string };

const THIS = /^(this|it|that|current|same)( task)?$/i;

function isFile(p: string): boolean {
  return existsSync(p) && statSync(p).isFile();
}

/** Task ids of the specs in a folder, with their files (unreadable specs are skipped). */
export function taskIdsIn(dir: string | undefined): { id: string; file: string }[] {
  if (!dir || !existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const out: { id: string; file: string }[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".json")).sort()) {
    const file = path.resolve(dir, f);
    try {
      out.push({ id: loadTaskSpec(file).spec.id, file });
    } catch {
      // not a task spec: ignore here, `tasks` reports it
    }
  }
  return out;
}

/**
 * A task reference, resolved against: the current directory, the tasks folder (with and without
 * ".json"), then the task ids in the tasks folder. No reference (or "this task") = the current task.
 */
export function resolveTaskRef(ref: string | undefined, opts: { tasksDir?: string; current?: string; cwd?: string }): Resolved {
  const cwd = opts.cwd ?? process.cwd();
  if (!ref || THIS.test(ref.trim())) {
    if (opts.current) return { ok: true, path: opts.current };
    return { ok: false, message: `Which task? Name a task spec, e.g. "cook tasks/my_task.json", or ask "what tasks are there in <folder>?" first.` };
  }
  const r = ref.trim();
  const candidates = [path.resolve(cwd, r), ...(opts.tasksDir ? [path.resolve(cwd, opts.tasksDir, r), path.resolve(cwd, opts.tasksDir, `${r}.json`)] : [])];
  for (const c of candidates) if (isFile(c)) return { ok: true, path: c };
  const byId = taskIdsIn(opts.tasksDir ? path.resolve(cwd, opts.tasksDir) : undefined).find((t) => t.id === r || t.id.toLowerCase() === r.toLowerCase());
  if (byId) return { ok: true, path: byId.file };
  return { ok: false, message: `I found no task spec "${r}" (looked for ${candidates.join(", ")}${opts.tasksDir ? ` and for a task with that id in ${opts.tasksDir}` : ""}).` };
}

/** A data file named in a message, relative to the current directory. */
export function resolveDataFile(ref: string, cwd = process.cwd()): Resolved {
  const p = path.resolve(cwd, ref);
  if (isFile(p)) return { ok: true, path: p };
  return { ok: false, message: `I cannot find the data file ${ref} (looked at ${p}).` };
}
