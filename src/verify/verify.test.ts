import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TaskContract } from "../task/contract.js";
import type { Judge, JudgeSample } from "./types.js";
import { mapLimit, verifyDataset } from "./verify.js";

const contract: TaskContract = {
  answer: { kind: "marker", marker: "####" },
  reasoning: true,
  numericAnswer: true,
  hasOptions: false,
  hasContext: false,
  inputFields: ["question"],
  answerField: "answer",
  systemPrompt: "Solve step by step.",
  describe: "step-by-step solution ending with '#### <number>'",
  inputChars: { p50: 150, p95: 300 },
};

const benchmark = [
  "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. How much does she make?",
  "A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take to make the robe for the king?",
  "James runs 3 sprints 3 times a week. He runs 60 meters each sprint. How many total meters does he run a week in the park?",
  "Every day, Wendi feeds each of her chickens three cups of mixed chicken feed. She has 20 chickens. How many cups does she need?",
].map((question) => ({ question, answer: "... #### 1" }));

/** A solvable problem per i: "<name> has i apples and buys i+2 more...". */
function record(i: number): string {
  const name = ["Ava", "Ben", "Cleo", "Dan", "Eve", "Finn"][i % 6]!;
  const q = `${name} has ${i + 3} apples in a basket and buys ${i + 5} more apples at the market. How many apples does ${name} have now?`;
  const a = `${name} has ${i + 3} + ${i + 5} = <<${i + 3}+${i + 5}=${2 * i + 8}>>${2 * i + 8} apples.\n#### ${2 * i + 8}`;
  return JSON.stringify({ messages: [{ role: "system", content: "Solve step by step." }, { role: "user", content: q }, { role: "assistant", content: a }] });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dc-verify-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(lines: string[], meta?: string[]): string {
  const file = path.join(dir, "data.jsonl");
  writeFileSync(file, lines.join("\n") + "\n");
  if (meta) writeFileSync(path.join(dir, "data.meta.jsonl"), meta.join("\n") + "\n");
  return file;
}

describe("verifyDataset", () => {
  it("grades a clean dataset: reward is the mean score; mix, duplicates and lengths are reported", async () => {
    const lines = Array.from({ length: 30 }, (_, i) => record(i));
    lines.push(record(0)); // one exact duplicate
    const meta = lines.map((_, i) => JSON.stringify({ source: i % 3 === 0 ? "svamp" : "gsm8k_train" }));
    const r = await verifyDataset({ dataPath: write(lines, meta), contract, benchmarkRecords: benchmark, samples: 10, seed: 1 });
    expect(r.status).toBe("ok");
    expect(r.records).toBe(31);
    expect(r.validRecords).toBe(31);
    expect(r.sampled).toBe(10);
    expect(r.grades.pass).toBe(10);
    expect(r.reward).toBe(r.meanScore);
    expect(r.meanScore).toBe(1);
    expect(r.sourceMix).toEqual({ svamp: 11, gsm8k_train: 20 });
    expect(r.duplicateRate).toBeCloseTo(1 / 31);
    expect(r.lengths.user).toHaveLength(31);
    expect(r.lengths.assistant[0]).toBeGreaterThan(20);
    expect(r.samples[0]).toMatchObject({ grade: "pass", score: 1, source: expect.any(String), system: "Solve step by step." });
    expect(r.judge).toBe("builtin-rules");
    expect(r.warnings).toEqual([]);
  });

  it("samples deterministically from the seed", async () => {
    const dataPath = write(Array.from({ length: 60 }, (_, i) => record(i)));
    const lines = async (seed: number) => (await verifyDataset({ dataPath, contract, benchmarkRecords: benchmark, samples: 8, seed })).samples.map((s) => s.line);
    const a = await lines(3);
    expect(await lines(3)).toEqual(a);
    expect(await lines(4)).not.toEqual(a);
    expect(new Set(a).size).toBe(8);
  });

  it("gives 'empty' and its penalty for a file without records, and for a missing file", async () => {
    const r = await verifyDataset({ dataPath: write([""]), contract, benchmarkRecords: benchmark });
    expect(r).toMatchObject({ status: "empty", reward: -1, records: 0, sampled: 0 });
    const missing = await verifyDataset({ dataPath: path.join(dir, "nope.jsonl"), contract, benchmarkRecords: benchmark, penalties: { empty: -2 } });
    expect(missing).toMatchObject({ status: "empty", reward: -2 });
    expect(missing.warnings?.[0]).toMatch(/no such file/);
  });

  it("gives 'format_error' for a non-chat line, still grades the valid records, and tolerates bad lines when asked", async () => {
    const lines = Array.from({ length: 20 }, (_, i) => record(i));
    lines.splice(5, 0, JSON.stringify({ instruction: "x", output: "y" }));
    const dataPath = write(lines);
    const r = await verifyDataset({ dataPath, contract, benchmarkRecords: benchmark, samples: 5 });
    expect(r).toMatchObject({ status: "format_error", reward: -0.5, records: 21, validRecords: 20 });
    expect(r.formatErrors[0]).toMatchObject({ line: 6 });
    expect(r.reason).toMatch(/1 of 21 lines are not chat records \(line 6/);
    expect(r.sampled).toBe(5);
    const tolerant = await verifyDataset({ dataPath, contract, benchmarkRecords: benchmark, samples: 5, maxInvalidRate: 0.1 });
    expect(tolerant.status).toBe("ok");
    const ungraded = await verifyDataset({ dataPath, contract, benchmarkRecords: benchmark, gradeWhenGated: false });
    expect(ungraded.sampled).toBe(0);
  });

  it("gives 'contaminated' when user turns copy benchmark questions beyond the threshold", async () => {
    const leak = (q: string) => JSON.stringify({ messages: [{ role: "user", content: q }, { role: "assistant", content: "It is 18.\n#### 18" }] });
    const lines = [...Array.from({ length: 18 }, (_, i) => record(i)), leak(benchmark[0]!.question), leak(benchmark[2]!.question)];
    const dataPath = write(lines);
    const r = await verifyDataset({ dataPath, contract, benchmarkRecords: benchmark, samples: 5 });
    expect(r).toMatchObject({ status: "contaminated", reward: -1 });
    expect(r.contamination).toMatchObject({ ngram: 13, contaminated_records: 2, rate: 0.1 });
    expect(r.contamination.examples.map((e) => e.benchmark_index)).toEqual([0, 2]);
    const lenient = await verifyDataset({ dataPath, contract, benchmarkRecords: benchmark, samples: 5, contaminationThreshold: 0.2 });
    expect(lenient.status).toBe("ok");
  });

  it("reads the benchmark from a file", async () => {
    const benchPath = path.join(dir, "bench.jsonl");
    writeFileSync(benchPath, benchmark.map((b) => JSON.stringify(b)).join("\n"));
    const r = await verifyDataset({ dataPath: write([record(1), record(2)]), contract, benchmarkPath: benchPath });
    expect(r.status).toBe("ok");
    await expect(verifyDataset({ dataPath: write([record(1)]), contract })).rejects.toThrow(/benchmarkRecords or benchmarkPath/);
  });

  it("takes any Judge, respects the concurrency limit and leaves failed samples out", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seen: JudgeSample[] = [];
    const judge: Judge = {
      name: "fake",
      async grade(sample, ctx) {
        expect(ctx.contract).toBe(contract);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((res) => setTimeout(res, 5));
        inFlight--;
        seen.push(sample);
        if (sample.index === 2) throw new Error("model timed out");
        return { grade: sample.index % 2 ? "task_mismatch" : "pass", reason: "fake" };
      },
    };
    const r = await verifyDataset({ dataPath: write(Array.from({ length: 6 }, (_, i) => record(i))), contract, benchmarkRecords: benchmark, judge, concurrency: 2, samples: 6 });
    expect(maxInFlight).toBe(2);
    expect(seen).toHaveLength(6);
    expect(r.judge).toBe("fake");
    expect(r.sampled).toBe(5);
    expect(r.judgeFailures).toEqual([{ index: 2, line: 3, error: "model timed out" }]);
    expect(r.grades).toMatchObject({ pass: 2, task_mismatch: 3 });
    expect(r.meanScore).toBeCloseTo((2 * 1 + 3 * 0.4) / 5);
    expect(r.warnings?.join(" ")).toMatch(/failed on 1 sample/);
  });
});

describe("mapLimit", () => {
  it("keeps order and never exceeds the limit", async () => {
    let active = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 3, 2], 2, async (x) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, x));
      active--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 30, 20]);
    expect(peak).toBe(2);
  });
});
