/**
 * Acceptance check of the data layer: profiles every file of the shared dataset pool
 * (../shared/datasets/CATALOG.json) and prints one row per file: rows, top-level fields, and the
 * relevance to the benchmark of a task that lists the file (the benchmark's first
 * `benchmark.examples` records, as load_task shows them to agents).
 *
 *   npx tsx evals/profile-shared.ts [--json] [--shared DIR]
 *
 * Exits non-zero when any file fails to profile or its row count differs from the catalog's.
 * The full profiles go to evals/out/profile-shared.json.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { profileBenchmark, profileSource } from "../src/data/profile.js";
import { recordText } from "../src/data/text.js";
import type { SourceProfile } from "../src/data/types.js";
import { DEFAULT_BENCHMARK_EXAMPLES, loadTaskSpec, type LoadedTask } from "../src/task/spec.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface CatalogEntry {
  id: string;
  role: "benchmark" | "source";
  path: string;
  rows: number;
  domain: string;
}

interface Row {
  id: string;
  role: string;
  rows: number;
  catalogRows: number;
  fields: string[];
  task: string;
  relevance: number | "benchmark" | null;
  duplicateRate: number;
  malformed: number;
  ms: number;
  error?: string;
}

function args(): { json: boolean; shared: string } {
  const a = process.argv.slice(2);
  const i = a.indexOf("--shared");
  return { json: a.includes("--json"), shared: path.resolve(i >= 0 ? a[i + 1]! : path.resolve(REPO, "../shared")) };
}

function table(rows: Row[]): string {
  const cols: [string, (r: Row) => string][] = [
    ["id", (r) => r.id],
    ["role", (r) => r.role],
    ["rows", (r) => String(r.rows)],
    ["task", (r) => r.task],
    ["relevance", (r) => (r.relevance === null ? "-" : typeof r.relevance === "string" ? r.relevance : r.relevance.toFixed(3))],
    ["dup", (r) => `${(r.duplicateRate * 100).toFixed(1)}%`],
    ["ms", (r) => String(r.ms)],
    ["fields", (r) => (r.error ? `ERROR: ${r.error}` : r.fields.join(", "))],
  ];
  const cells = rows.map((r) => cols.map(([, f]) => f(r)));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => (i === cols.length - 1 ? 0 : c[i]!.length))));
  const line = (c: string[]) => c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!))).join("  ");
  return [line(cols.map(([h]) => h)), line(widths.map((w, i) => (i === cols.length - 1 ? "-".repeat(6) : "-".repeat(w)))), ...cells.map(line)].join("\n");
}

async function main(): Promise<number> {
  const { json, shared } = args();
  const catalogPath = path.join(shared, "datasets", "CATALOG.json");
  if (!existsSync(catalogPath)) {
    console.error(`profile-shared: ${catalogPath} not found (pass --shared DIR)`);
    return 2;
  }
  const catalog = JSON.parse(readFileSync(catalogPath, "utf8")) as CatalogEntry[];
  const tasksDir = path.join(shared, "tasks");
  const tasks: LoadedTask[] = readdirSync(tasksDir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => loadTaskSpec(path.join(tasksDir, f)));

  // Benchmark examples per task, as agents see them.
  const benchTexts = new Map<string, string[]>();
  for (const t of tasks) {
    const b = await profileBenchmark(t.spec.benchmark, t.spec.benchmark.examples ?? DEFAULT_BENCHMARK_EXAMPLES);
    benchTexts.set(t.spec.id, b.examples.map(recordText));
  }

  const rows: Row[] = [];
  const profiles: SourceProfile[] = [];
  for (const entry of catalog) {
    const file = path.join(shared, "datasets", entry.path);
    const asBenchmark = tasks.find((t) => path.resolve(t.spec.benchmark.path) === file);
    // Among the tasks listing the file, one of its own domain says the most about relevance.
    const listing = tasks.filter((t) => t.spec.sources.some((s) => path.resolve(s.path) === file));
    const asSource = listing.find((t) => t.spec.domain === entry.domain) ?? listing[0];
    const task = asBenchmark ?? asSource;
    const started = Date.now();
    try {
      const prof = await profileSource({ id: entry.id, path: file }, { benchmarkTexts: task ? benchTexts.get(task.spec.id)! : [], seed: 0 });
      profiles.push(prof);
      rows.push({
        id: entry.id,
        role: entry.role,
        rows: prof.rows,
        catalogRows: entry.rows,
        fields: prof.topLevelFields,
        task: task?.spec.id ?? "-",
        relevance: asBenchmark ? "benchmark" : task ? prof.relevance : null,
        duplicateRate: prof.duplicateRate,
        malformed: prof.malformed,
        ms: Date.now() - started,
        error: prof.rows !== entry.rows ? `rows ${prof.rows} != catalog ${entry.rows}` : undefined,
      });
    } catch (e) {
      rows.push({ id: entry.id, role: entry.role, rows: 0, catalogRows: entry.rows, fields: [], task: task?.spec.id ?? "-", relevance: null, duplicateRate: 0, malformed: 0, ms: Date.now() - started, error: (e as Error).message });
    }
  }

  const outDir = path.join(REPO, "evals", "out");
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, "profile-shared.json"), JSON.stringify({ rows, profiles }, null, 1));
  const failed = rows.filter((r) => r.error);
  if (json) console.log(JSON.stringify(rows, null, 1));
  else {
    console.log(table(rows));
    console.log(`\n${rows.length} files, ${failed.length} failed; full profiles in ${path.relative(process.cwd(), path.join(outDir, "profile-shared.json"))}`);
  }
  return failed.length ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(`profile-shared: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  },
);
