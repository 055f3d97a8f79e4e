/**
 * Task spec: the schema of contracts.md, its loader and path resolution.
 *
 * The schema is the contract users write against, so required fields stay required and
 * unknown fields only warn (they are most likely typos, but a newer spec must still load).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

export const SourceSpecSchema = z.object({
  id: z.string().min(1).describe("Source id; also the staged file name sources/<id>.jsonl"),
  path: z
    .string()
    .min(1)
    .describe("Local file (JSONL, JSON array, CSV, Parquet), absolute or relative to the spec, or hf://datasets/<owner>/<name>"),
  description: z.string().optional().describe("What the source holds"),
  license: z.string().optional().describe("Licence name, e.g. MIT or CC-BY-NC-4.0"),
  format: z.enum(["jsonl", "json", "csv", "parquet"]).optional().describe("Overrides format detection by extension"),
  config: z.string().optional().describe("Hugging Face dataset config (hf:// sources)"),
  split: z.string().optional().describe("Split name (hf:// sources); 'train' when absent"),
});

export const BenchmarkSpecSchema = z.object({
  id: z.string().min(1),
  name: z.string().optional(),
  description: z.string().optional(),
  path: z.string().min(1).describe("Evaluation data: only for examples shown to agents and for decontamination"),
  metric: z.string().optional(),
  examples: z.number().int().min(0).max(20).optional().describe("How many benchmark examples agents may see (default 3)"),
  format: z.enum(["jsonl", "json", "csv", "parquet"]).optional(),
  config: z.string().optional(),
  split: z.string().optional(),
});

export const BudgetSchema = z.object({
  max_records: z.number().int().positive().optional().describe("Upper bound on training records (default 10000)"),
  llm_calls: z.number().int().min(0).optional().describe("Recipe-side LLM call budget"),
  llm_tokens: z.number().int().min(0).optional().describe("Recipe-side LLM token budget"),
});

export const TaskSpecSchema = z.object({
  id: z.string().min(1),
  domain: z.string().optional(),
  instruction: z.string().min(1),
  benchmark: BenchmarkSpecSchema,
  sources: z.array(SourceSpecSchema).min(1),
  budget: BudgetSchema.optional(),
  commercial: z.boolean().optional().describe("Only use sources whose licence permits commercial use"),
});

export type SourceSpec = z.infer<typeof SourceSpecSchema>;
export type BenchmarkSpec = z.infer<typeof BenchmarkSpecSchema>;
export type TaskSpec = z.infer<typeof TaskSpecSchema>;

export const DEFAULT_MAX_RECORDS = 10000;
export const DEFAULT_BENCHMARK_EXAMPLES = 3;

/** A spec after loading: paths resolved, defaults applied, warnings kept for the report. */
export interface LoadedTask {
  spec: TaskSpec;
  /** The spec file, or "<inline>" for specs given as objects. */
  file: string;
  /** Folder relative paths were resolved against. */
  baseDir: string;
  warnings: string[];
  maxRecords: number;
}

export class TaskSpecError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = "TaskSpecError";
  }
}

const KNOWN_KEYS: Record<string, readonly string[]> = {
  "": Object.keys(TaskSpecSchema.shape),
  benchmark: Object.keys(BenchmarkSpecSchema.shape),
  budget: Object.keys(BudgetSchema.shape),
  "sources[]": Object.keys(SourceSpecSchema.shape),
};

/** Names every key the schema does not know, e.g. `sources[2].lisence`. */
export function unknownFieldWarnings(raw: unknown): string[] {
  const out: string[] = [];
  const check = (obj: unknown, known: readonly string[], where: string) => {
    if (!obj || typeof obj !== "object" || Array.isArray(obj)) return;
    for (const key of Object.keys(obj)) {
      if (!known.includes(key)) out.push(`unknown field '${where}${key}' (ignored; a typo?)`);
    }
  };
  check(raw, KNOWN_KEYS[""]!, "");
  const r = raw as Record<string, unknown>;
  check(r?.benchmark, KNOWN_KEYS.benchmark!, "benchmark.");
  check(r?.budget, KNOWN_KEYS.budget!, "budget.");
  if (Array.isArray(r?.sources)) r.sources.forEach((s, i) => check(s, KNOWN_KEYS["sources[]"]!, `sources[${i}].`));
  return out;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") : "(root)";
  return `field '${where}': ${issue.message}`;
}

/** True for hf://datasets/... references. */
export function isHfRef(p: string): boolean {
  return p.startsWith("hf://");
}

/** Resolves a spec path against the spec's folder; hf:// and absolute paths pass through. */
export function resolveSpecPath(p: string, baseDir: string): string {
  if (isHfRef(p) || path.isAbsolute(p)) return p;
  return path.resolve(baseDir, p);
}

/** Validates a parsed spec object. Paths are resolved against `baseDir`. */
export function parseTaskSpec(raw: unknown, file = "<inline>", baseDir = process.cwd()): LoadedTask {
  const parsed = TaskSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(formatIssue);
    throw new TaskSpecError(`${file}: invalid task spec: ${issues.join("; ")}`, file);
  }
  const spec = parsed.data;
  const ids = new Set<string>();
  for (const [i, s] of spec.sources.entries()) {
    if (ids.has(s.id)) throw new TaskSpecError(`${file}: field 'sources[${i}].id': duplicate source id '${s.id}'`, file);
    if (!/^[A-Za-z0-9._-]+$/.test(s.id))
      throw new TaskSpecError(`${file}: field 'sources[${i}].id': '${s.id}' may only use letters, digits, '.', '_' and '-'`, file);
    ids.add(s.id);
  }
  if (ids.has(spec.benchmark.id))
    throw new TaskSpecError(`${file}: field 'benchmark.id': '${spec.benchmark.id}' is also listed as a source; benchmark data must never be training data`, file);
  const resolved: TaskSpec = {
    ...spec,
    benchmark: { ...spec.benchmark, path: resolveSpecPath(spec.benchmark.path, baseDir) },
    sources: spec.sources.map((s) => ({ ...s, path: resolveSpecPath(s.path, baseDir) })),
  };
  for (const s of resolved.sources) {
    if (!isHfRef(s.path) && path.resolve(s.path) === path.resolve(resolved.benchmark.path))
      throw new TaskSpecError(`${file}: source '${s.id}' points at the benchmark file; benchmark data must never be training data`, file);
  }
  return {
    spec: resolved,
    file,
    baseDir,
    warnings: unknownFieldWarnings(raw),
    maxRecords: spec.budget?.max_records ?? DEFAULT_MAX_RECORDS,
  };
}

/** Reads, validates and resolves a task spec file. Errors name the file and the field. */
export function loadTaskSpec(file: string): LoadedTask {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    throw new TaskSpecError(`${file}: cannot read task spec (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, file);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split("\n").length : undefined;
    throw new TaskSpecError(`${file}${line ? `:${line}` : ""}: not valid JSON (${msg})`, file);
  }
  return parseTaskSpec(raw, file, path.dirname(abs));
}
