/**
 * The interpreter's work: run recipe.py, then check.py, in a fresh sandbox under the rules of
 * contracts.md ("Recipe execution"), and bring the produced files back to the host.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { createSandbox, LocalSandbox, type BindPath, type SandboxChoice } from "../../src/sandbox/index.js";
import type { IsolationReport, RunLimits, RunResult } from "../../src/sandbox/types.js";
import { toolkitBytecode } from "../../src/toolkit/bytecode.js";
import { TOOLKIT_PATH } from "../../src/toolkit/reference.js";
import { writeFileAtomic } from "../../src/recipe/run-dir.js";
import { classifyError, type ClassifiedError } from "./classify.js";

export interface StagedInput {
  id: string;
  /** Host path of the source converted to JSONL. */
  jsonlPath: string;
}

export interface ExecuteRequest {
  recipe: string;
  check?: string;
  sources: StagedInput[];
  /** Host path of benchmark_ngrams.json (fingerprints only, never benchmark text). */
  fingerprintsPath?: string;
  /** Host folder that receives data.jsonl, data.meta.jsonl and steps.jsonl. */
  outDir: string;
  sandbox?: SandboxChoice;
  limits?: Partial<RunLimits>;
  /** Extra environment for the scripts (never host secrets). */
  env?: Record<string, string>;
  /** Host paths bound into a local sandbox (the LLM bridge's unix socket). */
  bindPaths?: BindPath[];
}

export interface ExecuteOutcome {
  ok: boolean;
  /** Which script failed, when one did. */
  failedPhase?: "recipe" | "check";
  recipeRun: RunResult;
  checkRun?: RunResult;
  error?: ClassifiedError;
  /** Host path of data.jsonl when the recipe produced one. */
  dataPath?: string;
  records: number;
  isolation: IsolationReport;
  sandboxId: string;
  durationMs: number;
}

const OUTPUT_FILES = ["data.jsonl", "data.meta.jsonl", "steps.jsonl"] as const;

function countLines(buf: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < buf.length; i++) if (buf[i] === 10) n++;
  if (buf.length > 0 && buf[buf.length - 1] !== 10) n++;
  return n;
}

export async function executeRecipe(req: ExecuteRequest): Promise<ExecuteOutcome> {
  const started = Date.now();
  const sandbox = await createSandbox({ kind: req.sandbox ?? "auto", ...(req.bindPaths?.length ? { local: { bindPaths: req.bindPaths } } : {}) });
  try {
    const toolkit = readFileSync(TOOLKIT_PATH);
    await sandbox.writeFile("datachef_toolkit.py", toolkit);
    const bytecode = sandbox instanceof LocalSandbox ? await toolkitBytecode(sandbox.python, toolkit) : null;
    if (bytecode) await sandbox.stageFile(bytecode.hostPath, bytecode.relPath, { readOnly: true });
    for (const s of req.sources) await sandbox.stageFile(s.jsonlPath, `sources/${s.id}.jsonl`, { readOnly: true });
    if (req.fingerprintsPath) await sandbox.stageFile(req.fingerprintsPath, "benchmark_ngrams.json", { readOnly: true });
    await sandbox.writeFile("recipe.py", req.recipe);
    if (req.check) await sandbox.writeFile("check.py", req.check);
    await sandbox.writeFile("output/.keep", "");
    const env = {
      DATACHEF_SOURCES: "sources",
      DATACHEF_OUTPUT: "output/data.jsonl",
      ...(req.fingerprintsPath ? { DATACHEF_BENCHMARK_NGRAMS: "benchmark_ngrams.json" } : {}),
      ...req.env,
    };

    const recipeRun = await sandbox.run(["python3", "recipe.py"], { env, limits: req.limits });
    let records = 0;
    let dataPath: string | undefined;
    for (const name of OUTPUT_FILES) {
      if (!(await sandbox.exists(`output/${name}`))) continue;
      const bytes = await sandbox.readFile(`output/${name}`);
      const dest = path.join(req.outDir, name);
      writeFileAtomic(dest, bytes);
      if (name === "data.jsonl") {
        dataPath = dest;
        records = countLines(bytes);
      }
    }
    const base = { recipeRun, records, dataPath, isolation: sandbox.isolation(), sandboxId: sandbox.id };
    if (recipeRun.exitCode !== 0 || recipeRun.timedOut || recipeRun.limitHit) {
      return { ...base, ok: false, failedPhase: "recipe", error: classifyError(recipeRun), durationMs: Date.now() - started };
    }
    if (!dataPath || records === 0) {
      const error = classifyError({ ...recipeRun, exitCode: 0 }, { emptyOutput: true });
      return { ...base, ok: false, failedPhase: "recipe", error, durationMs: Date.now() - started };
    }
    if (!req.check) return { ...base, ok: true, durationMs: Date.now() - started };
    const checkRun = await sandbox.run(["python3", "check.py", "output/data.jsonl"], { env, limits: req.limits });
    const checkOk = checkRun.exitCode === 0 && !checkRun.timedOut && !checkRun.limitHit;
    return {
      ...base,
      checkRun,
      ok: checkOk,
      ...(checkOk ? {} : { failedPhase: "check" as const, error: classifyError(checkRun, { phase: "check" }) }),
      durationMs: Date.now() - started,
    };
  } finally {
    await sandbox.close();
  }
}
