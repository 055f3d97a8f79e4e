/**
 * Acceptance test of the built-in judge on the eight shared tasks: for each task,
 *   (a) the in-domain source standardised to the benchmark's format (decontaminated, as a good
 *       recipe would),
 *   (b) the same records with assistant turns shuffled across records,
 *   (c) davinci_raw_outputs (raw completions of a non-instruction-tuned model) in chat form,
 * must score (a) > (b) > (c). Real files, the real verifier, the hand-written contracts of the
 * fixtures (contract inference is another module's job).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { userText, type ChatRecord } from "../data/chat.js";
import { loadTaskSpec } from "../task/spec.js";
import { CONTRACTS, IN_DOMAIN, datasetPath, davinciRecords, readJsonl, shuffleAssistants, validOnly } from "./fixtures/standardise.js";
import { buildFingerprints, contaminationOf } from "./ngrams.js";
import { verifyDataset } from "./verify.js";
import type { VerifierResult } from "./types.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = path.resolve(ROOT, "../shared");
const haveShared = existsSync(path.join(SHARED, "tasks")) && existsSync(path.join(SHARED, "datasets"));
if (!haveShared) console.warn(`verify.int.test: ${SHARED} not found; skipping the shared-task ranking test`);
const d = haveShared ? describe : describe.skip;

const TASKS = ["gsm8k", "math500", "csqa", "fpb", "pubmedqa", "mbpp", "humaneval", "tatqa"];
/** Records per dataset written for verification (evenly spaced over the source). */
const MAX_RECORDS = 1000;
const SAMPLES = 100;
const SEED = 0;

function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

function writeJsonl(dir: string, name: string, records: ChatRecord[], source: string): string {
  const file = path.join(dir, `${name}.jsonl`);
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join("\n") + "\n");
  writeFileSync(path.join(dir, `${name}.meta.jsonl`), records.map(() => JSON.stringify({ source })).join("\n") + "\n");
  return file;
}

interface Row {
  task: string;
  a: VerifierResult;
  b: VerifierResult;
  c: VerifierResult;
  removed: number;
}

d("verifier ranking on the shared tasks: in-domain > shuffled > davinci", () => {
  let dir: string;
  const rows: Row[] = [];

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "dc-verify-int-"));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    if (!rows.length) return;
    const f = (r: VerifierResult) => `${r.reward.toFixed(3)} (${r.status})`.padEnd(16);
    const g = (r: VerifierResult) => `${r.grades.pass}/${r.grades.task_mismatch}/${r.grades.incorrect}/${r.grades.format_error}/${r.grades.invalid}`.padEnd(18);
    const lines = [
      `samples=${SAMPLES} seed=${SEED}; grades as pass/mismatch/incorrect/format/invalid`,
      `${"task".padEnd(10)} ${"(a) in-domain".padEnd(16)} ${"(b) shuffled".padEnd(16)} ${"(c) davinci".padEnd(16)} ${"(a) grades".padEnd(18)} ${"(b) grades".padEnd(18)} ${"(c) grades".padEnd(18)} decontaminated`,
      ...rows.map((r) => `${r.task.padEnd(10)} ${f(r.a)} ${f(r.b)} ${f(r.c)} ${g(r.a)} ${g(r.b)} ${g(r.c)} ${r.removed}`),
    ];
    console.log(lines.join("\n"));
  });

  it.each(TASKS)("%s", async (task) => {
    const loaded = loadTaskSpec(path.join(SHARED, "tasks", `${task}.json`));
    const contract = CONTRACTS[task]!;
    const benchmark = readJsonl(loaded.spec.benchmark.path);
    const fingerprints = buildFingerprints(benchmark, { n: 13 });

    const src = IN_DOMAIN[task]!;
    const standardised = validOnly(src.standardise(readJsonl(datasetPath(SHARED, src.file)), contract));
    // What a good recipe does: drop records that leak the benchmark.
    const clean = standardised.filter((r) => !contaminationOf(userText(r), fingerprints).contaminated);
    const a = spread(clean, MAX_RECORDS);
    const b = shuffleAssistants(a, 11);
    const c = validOnly(davinciRecords(readJsonl(datasetPath(SHARED, "general/davinci_raw_outputs.jsonl")), contract));

    const verify = (name: string, records: ChatRecord[], source: string) =>
      verifyDataset({ dataPath: writeJsonl(dir, `${task}-${name}`, records, source), contract, benchmarkRecords: benchmark, fingerprints, samples: SAMPLES, seed: SEED });
    const ra = await verify("a", a, path.basename(src.file, ".jsonl"));
    const rb = await verify("b", b, "shuffled");
    const rc = await verify("c", c, "davinci_raw_outputs");
    rows.push({ task, a: ra, b: rb, c: rc, removed: standardised.length - clean.length });

    expect(ra.status).toBe("ok");
    expect(rb.status).toBe("ok");
    expect(ra.sampled).toBe(SAMPLES);
    expect(ra.reward).toBeGreaterThan(rb.reward);
    expect(rb.reward).toBeGreaterThan(rc.reward);
    // Every graded sample explains itself.
    for (const s of [...ra.samples, ...rb.samples, ...rc.samples]) expect(s.reason.length).toBeGreaterThan(3);
  });
});
