/** `datachef tasks <dir>`: lists the task specs in a folder, with source counts. */
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadTaskSpec, TaskSpecError } from "../task/spec.js";
import { CliError } from "./errors.js";

export interface TaskRow {
  file: string;
  id: string;
  domain: string;
  benchmark: string;
  sources: number;
  max_records: number;
  warnings: string[];
}

export interface TaskListing {
  tasks: TaskRow[];
  errors: { file: string; error: string }[];
}

export function listTasks(dir: string): TaskListing {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${dir}: no such folder`);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  const out: TaskListing = { tasks: [], errors: [] };
  for (const f of files) {
    const file = path.join(dir, f);
    try {
      const t = loadTaskSpec(file);
      out.tasks.push({
        file,
        id: t.spec.id,
        domain: t.spec.domain ?? "-",
        benchmark: t.spec.benchmark.name ?? t.spec.benchmark.id,
        sources: t.spec.sources.length,
        max_records: t.maxRecords,
        warnings: t.warnings,
      });
    } catch (e) {
      out.errors.push({ file, error: e instanceof TaskSpecError ? e.message : (e as Error).message });
    }
  }
  return out;
}

export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}

export async function tasksCommand(dir: string, opts: { json?: boolean }): Promise<number> {
  const listing = listTasks(dir);
  if (opts.json) process.stdout.write(JSON.stringify(listing, null, 2) + "\n");
  else {
    const rows = [["id", "domain", "benchmark", "sources", "max_records", "file"]];
    for (const t of listing.tasks) rows.push([t.id, t.domain, t.benchmark, String(t.sources), String(t.max_records), t.file]);
    process.stdout.write(formatTable(rows) + "\n");
    process.stdout.write(`${listing.tasks.length} task spec(s) in ${dir}\n`);
    for (const t of listing.tasks) for (const w of t.warnings) process.stderr.write(`warning: ${t.file}: ${w}\n`);
  }
  for (const e of listing.errors) process.stderr.write(`datachef: ${e.error}\n`);
  if (listing.tasks.length === 0 && listing.errors.length === 0) {
    process.stderr.write(`datachef: ${dir}: no task spec (*.json) found\n`);
    return 1;
  }
  return listing.errors.length ? 1 : 0;
}
