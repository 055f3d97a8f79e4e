/**
 * Task specs over schemas that appear neither in ../shared nor in the demo pool: nested passage
 * lists, `input{q}/output{steps,value}` records, JSON-in-CSV cells, headers with spaces, Parquet
 * structs and lists. Integration tests cook them to prove the built-in policy handles schemas
 * it was never tuned on.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { writeTaskSpec, type ManifestTask, type TaskDef } from "./pool.js";
import { Rng } from "./rng.js";
import { writeRatioTask } from "./unseen-boxed.js";
import { writeIntentTask } from "./unseen-intents.js";
import { writeVerdictTask } from "./unseen-verdicts.js";

export const UNSEEN_DEFAULT_SEED = 7919;

const WRITERS: readonly ((root: string, rng: Rng, scale: number) => Promise<TaskDef>)[] = [writeVerdictTask, writeRatioTask, writeIntentTask];

/** Writes `tasks/<id>.json` and `data/...` under `outDir`; returns the spec paths. */
export async function generateUnseenTasks(outDir: string, opts: { seed?: number; scale?: number } = {}): Promise<string[]> {
  const seed = opts.seed ?? UNSEEN_DEFAULT_SEED;
  const scale = opts.scale ?? 1;
  if (!(scale > 0)) throw new Error(`unseen tasks: scale must be positive, got ${scale}`);
  const root = path.resolve(outDir);
  await mkdir(root, { recursive: true });
  const rng = new Rng(seed);
  const specs: string[] = [];
  const tasks: ManifestTask[] = [];
  for (const write of WRITERS) {
    const { specPath, entry } = await writeTaskSpec(root, await write(root, rng, scale));
    specs.push(specPath);
    tasks.push(entry);
  }
  await writeFile(path.join(root, "manifest.json"), JSON.stringify({ generator: "datachef unseen-schema fixtures", seed, scale, tasks }, null, 2) + "\n", "utf8");
  return specs;
}
