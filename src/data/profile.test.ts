import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { duplicateRate, lengthStats, profileBenchmark, profileSource, truncateValue } from "./profile.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHARED = path.resolve(REPO, "../shared");
const withShared = existsSync(SHARED) ? describe : describe.skip;
if (!existsSync(SHARED)) console.warn(`profile.test: ${SHARED} not found; shared-data checks skipped`);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "datachef-profile-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, lines: unknown[], extra = ""): string {
  const p = path.join(dir, name);
  writeFileSync(p, lines.map((l) => JSON.stringify(l)).join("\n") + "\n" + extra);
  return p;
}

describe("profileSource", () => {
  const records = Array.from({ length: 40 }, (_, i) => ({
    question: { stem: `How many apples does person ${i} have after buying ${i} more?`, choices: [{ label: "A", text: `${i}` }, { label: "B", text: `${i + 1}` }] },
    answer: i % 4 === 0 ? null : `The answer is ${i}. ${"long explanation ".repeat(i === 1 ? 100 : 1)}`,
    label: ["pos", "neg", "neutral"][i % 3],
    score: i % 2 ? 1.5 : 2,
  }));
  // two exact duplicates (after normalisation) of record 0
  const dupes = [records[0], { ...records[0] }];

  test("schema, counts, examples, lengths, duplicates, malformed lines", async () => {
    const p = write("src.jsonl", [...records, ...dupes], "{broken\n");
    const prof = await profileSource(
      { id: "toy", path: p, description: "toy source", license: "MIT" },
      { benchmarkTexts: ["How many apples does Ann have?"], seed: 1, examples: 2 },
    );
    expect(prof).toMatchObject({ id: "toy", path: p, format: "jsonl", rows: 42, malformed: 1, invalidUtf8Lines: 0, sampleSize: 42, description: "toy source", license: "MIT" });
    expect(prof.malformedExamples[0]).toMatchObject({ line: 43, file: p });
    expect(prof.topLevelFields).toEqual(["question", "answer", "label", "score"]);
    const f = Object.fromEntries(prof.fields.map((x) => [x.path, x]));
    expect(Object.keys(f)).toEqual(["question", "question.stem", "question.choices", "question.choices[]", "question.choices[].label", "question.choices[].text", "answer", "label", "score"]);
    expect(f["question.choices"]!.meanItems).toBe(2);
    expect(f["question.choices[].label"]!.topValues).toEqual([
      { value: "A", count: 42 },
      { value: "B", count: 42 },
    ]);
    expect(f["answer"]!.types).toEqual({ null: 12, string: 30 }); // 10 of 40, plus both copies of record 0
    expect(f["answer"]!.presence).toBeCloseTo(30 / 42, 3);
    expect(f["label"]!.topValues!.map((t) => t.value).sort()).toEqual(["neg", "neutral", "pos"]);
    expect(f["question.stem"]!.topValues).toBeUndefined(); // high cardinality
    expect(f["question.stem"]!.distinctRatio).toBeCloseTo(40 / 42, 3);
    expect(f["score"]!.types).toEqual({ integer: 22, number: 20 });
    expect(prof.duplicateRate).toBeCloseTo(2 / 42, 3);
    expect(prof.examples.length).toBe(2);
    expect(prof.textLength.max).toBeGreaterThan(1600);
    expect(prof.relevance).toBeGreaterThan(0);
    // long strings in examples are cut
    const longest = Math.max(...prof.examples.map((e) => JSON.stringify(e).length));
    expect(longest).toBeLessThan(1500);
  });
  test("the sample is bounded and deterministic per seed", async () => {
    const p = write("big.jsonl", Array.from({ length: 500 }, (_, i) => ({ t: `row ${i}` })));
    const a = await profileSource({ id: "b", path: p }, { benchmarkTexts: [], sampleSize: 50, seed: 3 });
    const b = await profileSource({ id: "b", path: p }, { benchmarkTexts: [], sampleSize: 50, seed: 3 });
    const c = await profileSource({ id: "b", path: p }, { benchmarkTexts: [], sampleSize: 50, seed: 4 });
    expect(a.rows).toBe(500);
    expect(a.sampleSize).toBe(50);
    expect(a.examples).toEqual(b.examples);
    expect(a.examples).not.toEqual(c.examples);
    expect(a.relevance).toBe(0);
  });
  test("a missing file names the source", async () => {
    await expect(profileSource({ id: "nope", path: path.join(dir, "missing.jsonl") }, { benchmarkTexts: [] })).rejects.toThrow(/source 'nope': file not found/);
  });
});

describe("helpers", () => {
  test("truncateValue cuts long strings and arrays", () => {
    const v = truncateValue({ s: "x".repeat(700), a: Array.from({ length: 25 }, (_, i) => i) }) as { s: string; a: unknown[] };
    expect(v.s).toBe("x".repeat(600) + "… [+100 chars]");
    expect(v.a.length).toBe(21);
    expect(v.a[20]).toBe("… [+5 items]");
  });
  test("lengthStats and duplicateRate", () => {
    expect(lengthStats([5, 1, 3, 2, 4])).toEqual({ mean: 3, p50: 3, p95: 5, max: 5 });
    expect(lengthStats([])).toEqual({ mean: 0, p50: 0, p95: 0, max: 0 });
    expect(duplicateRate(["Hello, World", "hello world", "other"])).toBeCloseTo(1 / 3, 6);
  });
});

describe("profileBenchmark", () => {
  test("first k records as examples, a sample of texts, all rows counted", async () => {
    const p = write("bench.jsonl", Array.from({ length: 30 }, (_, i) => ({ q: `question ${i}`, a: `${i}` })));
    const b = await profileBenchmark(p, 2, { maxTexts: 10 });
    expect(b.examples).toEqual([
      { q: "question 0", a: "0" },
      { q: "question 1", a: "1" },
    ]);
    expect(b.rows).toBe(30);
    expect(b.texts.length).toBe(10);
    expect(b.topLevelFields).toEqual(["q", "a"]);
  });
});

withShared("profiling shared datasets", () => {
  test("gsm8k_train: full count, fields, relevance to gsm8k_test examples", async () => {
    const bench = await profileBenchmark(path.join(SHARED, "datasets/math/gsm8k_test.jsonl"), 3);
    const prof = await profileSource({ id: "gsm8k_train", path: path.join(SHARED, "datasets/math/gsm8k_train.jsonl") }, { benchmarkTexts: bench.examples.map((e) => `${e.question}\n${e.answer}`) });
    expect(prof.rows).toBe(5216);
    expect(prof.sampleSize).toBe(2000);
    expect(prof.topLevelFields).toEqual(["question", "answer"]);
    expect(prof.relevance).toBeGreaterThan(0.2);
  });
});
