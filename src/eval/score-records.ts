/**
 * Scores record sets of one task with the Data Verifier, as the evaluation does for derived
 * training sets (downstream variants, ladder rungs): the benchmark, its fingerprints and the
 * judge are loaded once per task, and every set is verified at the same sample positions.
 */
import { writeFileSync } from "node:fs";
import type { RecipeContext } from "../../graphs/state.js";
import { judgeForRun } from "../../agents/verifier/llm-judge.js";
import type { ChatRecord } from "../data/chat.js";
import { benchmarkRecords, readFingerprintsFile } from "../recipe/prepare.js";
import { verifyDataset } from "../verify/verify.js";
import type { EvalTask } from "./run-recipe.js";
import { dvsScore } from "./stats.js";

export interface RecordScorer {
  /** "builtin-rules" or llm:<model> */
  judgeName: string;
  /** Writes the records to `file` (JSONL) and returns their DVS reward. */
  score(records: ChatRecord[], file: string): Promise<number>;
}

export async function recordScorer(task: EvalTask, ctx: RecipeContext): Promise<RecordScorer> {
  const contract = task.prepared.verifierContract;
  // the verifier's cached readers: one parse per task, shared with the recipe runs of the eval
  const benchmark = await benchmarkRecords(task.loaded);
  const fingerprints = readFingerprintsFile(task.prepared.fingerprintsPath);
  const judge = judgeForRun({ ctx, spec: task.loaded.spec });
  return {
    judgeName: judge ? `llm:${judge.name}` : "builtin-rules",
    async score(records, file) {
      writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
      const v = await verifyDataset({
        dataPath: file,
        metaPath: null,
        contract,
        benchmarkRecords: benchmark,
        fingerprints,
        instruction: task.loaded.spec.instruction,
        samples: ctx.samples,
        // the same seed for every set: only the records change, not the sample positions
        seed: ctx.seed,
        ...(judge ? { judge, concurrency: judge.limiter.limit } : {}),
      });
      return dvsScore(v.status, v.reward);
    },
  };
}
