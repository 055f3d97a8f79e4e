import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { textHash } from "../data/text.js";
import {
  buildFingerprints,
  contaminationOf,
  defaultTemplateDf,
  loadFingerprints,
  memoContaminationOf,
  ngramHash,
  ngramHashes,
  saveFingerprints,
} from "./ngrams.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = path.resolve(ROOT, "../shared");
const HAS_SHARED = existsSync(path.join(SHARED, "datasets"));
if (!HAS_SHARED) console.warn(`SKIPPING real-data fingerprint tests: ${SHARED} not found`);
const withShared = HAS_SHARED ? describe : describe.skip;

const readJsonl = (rel: string): Record<string, unknown>[] =>
  readFileSync(path.join(SHARED, "datasets", rel), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

// A long shared opening, like "Which of the following ..." stems of MCQ benchmarks.
const TEMPLATE =
  "Read the following clinical vignette carefully and then choose the single best answer from the options listed below for this question";
// Short item-specific tails, so the template is most of every segment.
const uniqueTail = (i: number) => `patient number ${i} has symptom ${i * 7} today`;
const templated = Array.from({ length: 12 }, (_, i) => ({
  question: `${TEMPLATE}. ${uniqueTail(i)}`,
  options: { A: "yes", B: "no" },
}));

describe("ngramHashes", () => {
  test("ngramHash is textHash", () => {
    for (const s of ["hello world", "déjà vu 12", ""]) expect(ngramHash(s)).toBe(textHash(s));
    expect(ngramHash("hello world")).toBe("2aae6c35c94fcfb4");
  });
  test("hashes distinct normalised n-grams", () => {
    expect(ngramHashes("a b c d", 2).size).toBe(3);
    expect(ngramHashes("A, b! c", 2)).toEqual(ngramHashes("a b c", 2));
    expect(ngramHashes("a b a b a b", 2).size).toBe(2);
    expect(ngramHashes("too short", 13).size).toBe(0);
  });
});

describe("buildFingerprints", () => {
  test("records segments per long string leaf and never benchmark text", () => {
    const fp = buildFingerprints(templated, { templateDf: 100 });
    expect(fp.version).toBe(1);
    expect(fp.n).toBe(13);
    expect(fp.records).toBe(12);
    expect(fp.segments.length).toBe(12); // options are short leaves: not segments
    expect(fp.segmentItem).toEqual(Array.from({ length: 12 }, (_, i) => i));
    const json = JSON.stringify(fp);
    expect(json).not.toMatch(/vignette|apples|patient/i);
  });

  test("template phrases shared by many items are dropped, so they do not flag clean text", () => {
    const fp = buildFingerprints(templated);
    expect(defaultTemplateDf(12)).toBe(3);
    expect(fp.droppedTemplate).toBeGreaterThan(5);
    const clean = `${TEMPLATE}: which enzyme is deficient in phenylketonuria, a disorder of amino acid metabolism?`;
    expect(contaminationOf(clean, fp).contaminated).toBe(false);
    // a copy of one item's own content is still caught, and attributed to that item
    const leak = contaminationOf(`${TEMPLATE}. ${uniqueTail(7)}`, fp);
    expect(leak).toMatchObject({ contaminated: true, benchmarkIndex: 7 });
    expect(leak.overlap).toBe(1);
    // without the template rule the same clean text would be flagged: the rule is what saves it
    const noRule = buildFingerprints(templated, { templateDf: 100 });
    expect(contaminationOf(clean, noRule).contaminated).toBe(true);
  });

  test("coverage is per segment and thresholded by overlap", () => {
    const q = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
    const fp = buildFingerprints([{ q }, { q: "short" }], { n: 13 });
    expect(fp.segments).toEqual([4]);
    const half = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
    expect(contaminationOf(half, fp)).toEqual({ contaminated: true, benchmarkIndex: 0, overlap: 0.5 });
    expect(contaminationOf(half, fp, 0.6).contaminated).toBe(false);
    expect(contaminationOf("nothing alike", fp)).toEqual({ contaminated: false, benchmarkIndex: -1, overlap: 0 });
  });

  test("memoContaminationOf answers as contaminationOf, per fingerprints and overlap, within its bound", () => {
    const q = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen";
    const fp = buildFingerprints([{ q }, { q: "short" }], { n: 13 });
    const half = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
    const texts = [half, "nothing alike", `${half} and more`, half];
    const check = memoContaminationOf(fp);
    for (const t of texts) expect(check(t)).toEqual(contaminationOf(t, fp));
    // the memo is per overlap: the stricter rule is not answered from the default one
    expect(memoContaminationOf(fp, 0.6)(half).contaminated).toBe(false);
    expect(memoContaminationOf(fp)(half).contaminated).toBe(true);
    // and per fingerprints object
    const other = buildFingerprints([{ q: "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi" }], { n: 13 });
    expect(memoContaminationOf(other)(half).contaminated).toBe(false);
    // a small bound still answers correctly while it evicts
    const tiny = memoContaminationOf(buildFingerprints([{ q }], { n: 13 }), undefined, half.length);
    for (const t of [...texts, ...texts]) expect(tiny(t)).toEqual(contaminationOf(t, fp));
  });

  test("save and load round trip with validation", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fp-"));
    try {
      const fp = buildFingerprints(templated);
      const file = path.join(dir, "benchmark_ngrams.json");
      saveFingerprints(fp, file);
      expect(loadFingerprints(file)).toEqual(fp);
      saveFingerprints({ ...fp, n: 0 } as never, file);
      expect(() => loadFingerprints(file)).toThrow(/not a benchmark fingerprint file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

withShared("fingerprints on real benchmarks", () => {
  const gsmTest = buildFingerprints(HAS_SHARED ? readJsonl("math/gsm8k_test.jsonl") : []);

  test("gsm8k_socratic_test questions are >= 99% flagged against gsm8k_test", () => {
    const qs = readJsonl("math/gsm8k_socratic_test.jsonl").map((r) => String(r.question));
    const flagged = qs.filter((q) => contaminationOf(q, gsmTest).contaminated).length;
    console.log(`gsm8k_socratic_test flagged: ${flagged}/${qs.length}`);
    expect(flagged / qs.length).toBeGreaterThanOrEqual(0.99);
  });

  test("gsm8k_train questions are < 1% flagged", () => {
    const qs = readJsonl("math/gsm8k_train.jsonl").map((r) => String(r.question));
    const flagged = qs.filter((q) => contaminationOf(q, gsmTest).contaminated).length;
    console.log(`gsm8k_train flagged: ${flagged}/${qs.length}`);
    expect(flagged / qs.length).toBeLessThan(0.01);
  });

  test("different MCQ items of the same style are not flagged (medmcqa vs mmlu_medical)", () => {
    const fp = buildFingerprints(readJsonl("medicine/mmlu_medical.jsonl"));
    const qs = readJsonl("medicine/medmcqa_dev_single.jsonl").map(
      (r) => `${r.question}\n${Object.values(r.options as Record<string, string>).join("\n")}`,
    );
    const flagged = qs.filter((q) => contaminationOf(q, fp).contaminated).length;
    console.log(`medmcqa vs mmlu_medical flagged: ${flagged}/${qs.length}, template n-grams dropped: ${fp.droppedTemplate}`);
    expect(flagged / qs.length).toBeLessThan(0.01);
  });
});
