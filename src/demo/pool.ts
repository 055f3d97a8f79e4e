/**
 * Shared machinery of the demo pool and the unseen-schema fixtures: source roles, task spec
 * writing (contracts.md format, paths relative to the spec) and a manifest entry per task that
 * says which role each source plays, for tests and evaluations.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { TaskSpec } from "../task/spec.js";

/**
 * What a source is for. The spec's description states the role in words (the planner sees only
 * that); the manifest keeps it machine-readable.
 */
export type SourceRole = "in-domain" | "noisy" | "off-domain" | "duplicate-heavy" | "leaks the benchmark";

/** How each role is announced in a source description. */
export const ROLE_PHRASE: Record<SourceRole, RegExp> = {
  "in-domain": /in-domain/i,
  noisy: /\bnoisy\b/i,
  "off-domain": /off-domain/i,
  "duplicate-heavy": /duplicate-heavy/i,
  "leaks the benchmark": /leaks the benchmark/i,
};

export interface SourceDef {
  id: string;
  /** File path relative to the pool root, e.g. `data/math/worksheets.csv`. */
  file: string;
  role: SourceRole;
  description: string;
  license: string;
  rows: number;
}

export interface TaskDef {
  id: string;
  domain: string;
  instruction: string;
  benchmark: { id: string; name: string; description: string; file: string; metric: string; rows: number };
  sources: SourceDef[];
  maxRecords: number;
}

export interface ManifestTask {
  id: string;
  spec: string;
  benchmark: { id: string; file: string; rows: number };
  sources: { id: string; file: string; role: SourceRole; rows: number; license: string }[];
}

/** Writes `tasks/<id>.json` under `root`; returns the spec path and its manifest entry. */
export async function writeTaskSpec(root: string, t: TaskDef): Promise<{ specPath: string; entry: ManifestTask }> {
  const tasksDir = path.join(root, "tasks");
  const rel = (file: string) => path.relative(tasksDir, path.join(root, file)).split(path.sep).join("/");
  const spec: TaskSpec = {
    id: t.id,
    domain: t.domain,
    instruction: t.instruction,
    benchmark: { id: t.benchmark.id, name: t.benchmark.name, description: t.benchmark.description, path: rel(t.benchmark.file), metric: t.benchmark.metric },
    sources: t.sources.map((s) => ({ id: s.id, path: rel(s.file), description: s.description, license: s.license })),
    budget: { max_records: t.maxRecords },
  };
  const specPath = path.join(tasksDir, `${t.id}.json`);
  await mkdir(tasksDir, { recursive: true });
  await writeFile(specPath, JSON.stringify(spec, null, 2) + "\n", "utf8");
  return {
    specPath,
    entry: {
      id: t.id,
      spec: `tasks/${t.id}.json`,
      benchmark: { id: t.benchmark.id, file: t.benchmark.file, rows: t.benchmark.rows },
      sources: t.sources.map((s) => ({ id: s.id, file: s.file, role: s.role, rows: s.rows, license: s.license })),
    },
  };
}

/** Row count for a size knob: `base * scale`, never below `min`. */
export function scaled(base: number, scale: number, min = 12): number {
  return Math.max(min, Math.round(base * scale));
}

/**
 * `n` items whose keys are new (not in `taken`, not repeated); keys are added to `taken`.
 * Gives up after many misses so a too-small template space fails loudly instead of looping.
 */
export function distinct<T>(n: number, make: () => T, key: (t: T) => string, taken: Set<string>): T[] {
  const out: T[] = [];
  let misses = 0;
  while (out.length < n) {
    const t = make();
    const k = key(t);
    if (taken.has(k)) {
      if (++misses > 50 * n + 1000) throw new Error(`could only make ${out.length} of ${n} distinct items`);
      continue;
    }
    taken.add(k);
    out.push(t);
  }
  return out;
}
