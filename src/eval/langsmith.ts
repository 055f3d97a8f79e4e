/**
 * An evaluation as LangSmith experiments (when LANGSMITH_API_KEY is set): a dataset with one
 * example per task, one experiment per variant (the policy, each baseline kind) on that dataset,
 * one run per recipe linked to its task's example, and feedback on every run: the verifier score
 * (DVS contribution), executability after repair and at the first attempt.
 * Example ids are derived from the dataset and task, so re-logging reuses the same dataset.
 */
import { createHash } from "node:crypto";
import { Client } from "langsmith";
import { mapLimit } from "../verify/verify.js";
import type { EvalResult, RecipeRow } from "./types.js";

export function langsmithEnabled(env: Record<string, string | undefined> = process.env): boolean {
  return !!(env.LANGSMITH_API_KEY ?? env.LANGCHAIN_API_KEY);
}

/** A UUID (version-5 layout) from a text: the same text, the same id. */
export function stableUuid(text: string): string {
  const h = createHash("sha1").update(text).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface LoggedExperiments {
  dataset: string;
  experiments: string[];
  runs: number;
}

export async function logEvalToLangSmith(r: EvalResult, opts: { client?: Client; prefix?: string; concurrency?: number } = {}): Promise<LoggedExperiments> {
  const client = opts.client ?? new Client({ autoBatchTracing: false });
  const tasks = r.tasks.map((t) => t.task).sort();
  const datasetName = `${opts.prefix ?? "datachef-eval"}-${createHash("sha1").update(tasks.join(",")).digest("hex").slice(0, 10)}`;
  let datasetId: string;
  if (await client.hasDataset({ datasetName })) {
    datasetId = (await client.readDataset({ datasetName })).id;
  } else {
    const ds = await client.createDataset(datasetName, { description: `datachef evaluation tasks: ${tasks.join(", ")}`, metadata: { tasks } });
    datasetId = ds.id;
    await client.createExamples(
      r.tasks.map((t) => ({
        dataset_id: datasetId,
        id: stableUuid(`${datasetName}/${t.task}`),
        inputs: { task_id: t.task, spec: t.spec, answer_kind: t.answerKind },
        outputs: {},
        metadata: { task_id: t.task },
      })),
    );
  }
  const exampleOf = new Map(r.tasks.map((t) => [t.task, stableUuid(`${datasetName}/${t.task}`)]));
  const kinds = [...new Set(r.recipes.map((x) => x.kind))];
  const stamp = r.createdAt.replace(/[:.]/g, "-");
  const experiments: string[] = [];
  let runs = 0;
  for (const kind of kinds) {
    const name = `datachef-eval ${kind === "policy" ? r.policy : kind} ${stamp}`;
    const project = await client.createProject({
      projectName: name,
      referenceDatasetId: datasetId,
      description: `${kind === "policy" ? `policy ${r.policy}` : `${kind} baseline`}: ${r.seeds.length} seed(s), ${r.samples} graded samples per recipe`,
      metadata: { policy: r.policy, variant: kind, seeds: r.seeds, samples: r.samples, max_attempts: r.maxAttempts },
    });
    experiments.push(name);
    const rows = r.recipes.filter((x) => x.kind === kind);
    await mapLimit(rows, opts.concurrency ?? 8, async (row: RecipeRow) => {
      const id = stableUuid(`${name}/${row.task}/${row.variant}/${row.seed}`);
      const end = Date.parse(row.finishedAt) || Date.now();
      await client.createRun({
        id,
        name: `${row.task} ${row.variant} s${row.seed}`,
        run_type: "chain",
        project_name: name,
        reference_example_id: exampleOf.get(row.task),
        inputs: { task: row.task, variant: row.variant, seed: row.seed },
        outputs: { status: row.status, reward: row.reward, score: row.score, records: row.records, attempts: row.attempts, sources: row.sources },
        start_time: end - row.wallMs,
        end_time: end,
        ...(row.status === "ok" ? {} : { error: row.reason ?? row.status }),
        extra: { metadata: { task_id: row.task, variant: row.variant, kind: row.kind, seed: row.seed, ...(row.source ? { source: row.source } : {}), run_dir: row.outDir } },
      });
      const fb = (key: string, score: number, comment?: string) =>
        client.createFeedback({ runId: id, sessionId: project.id, key, score, ...(comment ? { comment } : {}) });
      await fb("verifier_score", row.score, `${row.status}; reward ${row.reward}`);
      await fb("executable", row.executed ? 1 : 0);
      await fb("executable_first_attempt", row.firstAttemptOk ? 1 : 0);
      runs++;
    });
    await client.updateProject(project.id, { endTime: new Date().toISOString() });
  }
  await client.awaitPendingTraceBatches();
  return { dataset: datasetName, experiments, runs };
}
