import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sampleRecords, readRecords } from "./readers.js";
import { cosine, cosineSimilarity, RelevanceModel, TfIdf, topicTokens } from "./relevance.js";
import { recordText } from "./text.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const SHARED = path.resolve(REPO, "../shared");
const withShared = existsSync(SHARED) ? describe : describe.skip;
if (!existsSync(SHARED)) console.warn(`relevance.test: ${SHARED} not found; shared-data ranking checks skipped`);

const math = [
  "Janet has 3 apples and buys 5 more apples. How many apples does she have now?",
  "A train travels 60 miles per hour for 3 hours. How many miles does the train travel?",
  "Tom earns 12 dollars per hour and works 8 hours. How many dollars does Tom earn?",
];
const cooking = [
  "Preheat the oven, whisk the eggs with sugar and bake the cake for forty minutes.",
  "Chop the onions, fry them in butter and season the soup with salt and pepper.",
];

describe("TF-IDF", () => {
  test("stop words are dropped, domain words kept", () => {
    expect(topicTokens("How many apples does she have?")).toEqual(["how", "many", "apples"]);
  });
  test("cosine is 1 for identical, 0 for disjoint vectors", () => {
    const m = new TfIdf([math]);
    expect(cosine(m.vector(math[0]!), m.vector(math[0]!))).toBeCloseTo(1, 6);
    expect(cosine(m.vector("apples"), m.vector("oven"))).toBe(0);
    expect(cosine(new Map(), m.vector("apples"))).toBe(0);
  });
  test("balanced IDF: a term on every document of both sides weighs least", () => {
    const a = ["alpha common", "beta common"];
    const b = ["gamma common"];
    const m = new TfIdf([a, b]);
    expect(m.weight("common")).toBeLessThan(m.weight("alpha"));
    expect(m.weight("never-seen")).toBeGreaterThan(m.weight("alpha"));
  });
  test("a template term on every record of one side weighs less than content words", () => {
    const m = new TfIdf([["answer following apples", "answer following trains", "answer following dollars", "answer following cows"], ["apples cows"]]);
    expect(m.weight("following")).toBeLessThan(m.weight("trains"));
  });
});

describe("relevance ranking", () => {
  test("in-domain texts score above off-domain ones", () => {
    const inDomain = ["Sara buys 4 pencils for 2 dollars each. How many dollars does she spend?", "A farmer has 20 cows and sells 7. How many cows are left?"];
    expect(cosineSimilarity(inDomain, math)).toBeGreaterThan(2 * cosineSimilarity(cooking, math));
    const model = new RelevanceModel(math);
    expect(model.score(inDomain[0]!)).toBeGreaterThan(model.score(cooking[0]!));
    expect(model.scoreSet(inDomain)).toBeGreaterThan(model.scoreSet(cooking));
    expect(cosineSimilarity([], math)).toBe(0);
  });
  test("scoring 100 records is fast", () => {
    const model = new RelevanceModel(math, { background: cooking });
    const t = Date.now();
    for (let i = 0; i < 100; i++) model.score(`${math[i % 3]} record ${i} with some more words about apples and trains`);
    expect(Date.now() - t).toBeLessThan(500); // generous: the machine is shared
  });
});

withShared("relevance on the shared tasks (3 benchmark examples, 2000-record source samples)", () => {
  const ds = (p: string) => path.join(SHARED, "datasets", p);
  async function firstTexts(p: string, k: number): Promise<string[]> {
    const out: string[] = [];
    for await (const { record } of readRecords(p, { limit: k })) out.push(recordText(record));
    return out;
  }
  const sampleTexts = async (p: string) => (await sampleRecords(p, 2000, 0)).map((x) => recordText(x.record));
  test.each([
    ["math/gsm8k_test.jsonl", "math/gsm8k_train.jsonl", "general/alpaca_5k.jsonl"],
    ["finance/fpb_allagree.jsonl", "finance/fpb_lowagree.jsonl", "medicine/medquad.jsonl"],
    ["language/commonsenseqa_dev.jsonl", "language/commonsenseqa_train.jsonl", "math/svamp.jsonl"],
  ])("benchmark %s: %s well above %s", async (bench, good, bad) => {
    const b = await firstTexts(ds(bench), 3);
    const rGood = cosineSimilarity(await sampleTexts(ds(good)), b);
    const rBad = cosineSimilarity(await sampleTexts(ds(bad)), b);
    expect(rGood).toBeGreaterThan(2 * rBad);
    expect(rGood).toBeGreaterThan(0.2);
  });
});
