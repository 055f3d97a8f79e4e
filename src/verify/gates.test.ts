import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ContaminationGate, FormatGate, isEmptyDataset, metaPathFor, readDataset, sourceOfMeta, type DatasetLine, type ReadDatasetStats } from "./gates.js";
import { buildFingerprints, contaminationOf } from "./ngrams.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "dc-gates-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const rec = (u: string, a: string) => JSON.stringify({ messages: [{ role: "user", content: u }, { role: "assistant", content: a }] });

async function collect(file: string, opts: Parameters<typeof readDataset>[1] = {}): Promise<DatasetLine[]> {
  const out: DatasetLine[] = [];
  for await (const l of readDataset(file, opts)) out.push(l);
  return out;
}

describe("readDataset", () => {
  it("parses chat records, explains bad lines and skips blank ones", async () => {
    const file = path.join(dir, "data.jsonl");
    writeFileSync(
      file,
      "\uFEFF" +
        [rec("q1", "a1"), "", "{not json", JSON.stringify({ messages: [{ role: "user", content: "q" }] }), JSON.stringify({ prompt: "x" }), rec("q2", "a2")].join("\r\n") +
        "\n",
    );
    const stats: ReadDatasetStats = { lines: 0, metaLines: 0, metaUnreadable: 0 };
    const lines = await collect(file, { stats });
    expect(lines.map((l) => l.line)).toEqual([1, 3, 4, 5, 6]);
    expect(lines.map((l) => l.ordinal)).toEqual([0, 1, 2, 3, 4]);
    expect(lines[0]!.record?.messages[0]!.content).toBe("q1");
    expect(lines[1]!.error).toMatch(/not valid JSON/);
    expect(lines[2]!.error).toMatch(/messages/);
    expect(lines[3]!.error).toMatch(/messages/);
    expect(lines[4]!.record).toBeDefined();
    expect(stats.lines).toBe(5);
  });

  it("reads sources from the line-aligned sidecar found next to the data", async () => {
    const file = path.join(dir, "data.jsonl");
    writeFileSync(file, [rec("q1", "a1"), "", rec("q2", "a2"), rec("q3", "a3")].join("\n"));
    writeFileSync(metaPathFor(file), [JSON.stringify({ source: "gsm8k_train" }), JSON.stringify({ _source: "svamp" }), '"asdiv"', "{}", JSON.stringify({ source: "extra" })].join("\n"));
    const stats: ReadDatasetStats = { lines: 0, metaLines: 0, metaUnreadable: 0 };
    const lines = await collect(file, { stats });
    expect(lines.map((l) => l.source)).toEqual(["gsm8k_train", "svamp", "asdiv"]);
    expect(stats).toMatchObject({ lines: 3, metaLines: 5, metaUnreadable: 1, metaPath: metaPathFor(file) });
    expect((await collect(file, { metaPath: null })).every((l) => l.source === undefined)).toBe(true);
  });

  it("names the sidecar after the data file", () => {
    expect(metaPathFor("/x/out/data.jsonl")).toBe(path.join("/x/out", "data.meta.jsonl"));
    expect(metaPathFor("/x/train.jsonl")).toBe(path.join("/x", "train.meta.jsonl"));
  });

  it("reads a source id in the shapes a sidecar may use", () => {
    expect(sourceOfMeta('{"source":"a"}')).toBe("a");
    expect(sourceOfMeta('{"dataset_id":"b"}')).toBe("b");
    expect(sourceOfMeta('"c"')).toBe("c");
    expect(sourceOfMeta("{}")).toBeUndefined();
    expect(sourceOfMeta("nope")).toBeUndefined();
  });
});

describe("FormatGate", () => {
  it("fails on any invalid line by default and keeps the first examples", () => {
    const g = new FormatGate({ maxExamples: 2 });
    g.add(1, null);
    for (let line = 2; line <= 5; line++) g.add(line, `bad ${line}`);
    const r = g.result();
    expect(r).toMatchObject({ passed: false, lines: 5, invalid: 4, rate: 0.8 });
    expect(r.examples).toEqual([
      { line: 2, error: "bad 2" },
      { line: 3, error: "bad 3" },
    ]);
  });
  it("tolerates a configured share of bad lines", () => {
    const g = new FormatGate({ maxInvalidRate: 0.1 });
    for (let line = 1; line <= 20; line++) g.add(line, line === 7 ? "bad" : null);
    expect(g.result()).toMatchObject({ passed: true, invalid: 1, rate: 0.05 });
    g.add(21, "bad");
    g.add(22, "bad");
    expect(g.result().passed).toBe(false);
  });
  it("never passes a file with no valid line", () => {
    const g = new FormatGate({ maxInvalidRate: 1 });
    g.add(1, "bad");
    expect(g.result().passed).toBe(false);
  });
});

describe("empty gate", () => {
  it("is empty only without records", () => {
    expect(isEmptyDataset(0)).toBe(true);
    expect(isEmptyDataset(1)).toBe(false);
  });
});

describe("ContaminationGate", () => {
  // A stand-in check: texts containing "LEAK" are contaminated (the real one is tested below).
  const check = (text: string) => (text.includes("LEAK") ? { contaminated: true, benchmarkIndex: 7, overlap: 0.9 } : { contaminated: false, benchmarkIndex: -1, overlap: 0 });

  it("counts contaminated user turns, reports examples and applies the threshold", () => {
    const g = new ContaminationGate(check, { ngram: 13, threshold: 0.01 });
    for (let line = 1; line <= 200; line++) g.add(line, line === 50 ? "LEAK question" : "clean question");
    expect(g.result()).toMatchObject({ passed: true, checked: 200, contaminated_records: 1, rate: 0.005, threshold: 0.01, ngram: 13 });
    expect(g.result().examples).toEqual([{ line: 50, benchmark_index: 7, overlap: 0.9 }]);
    g.add(201, "LEAK");
    g.add(202, "LEAK");
    expect(g.result().passed).toBe(false);
  });

  it("has a small default threshold: one leak in a hundred records fails", () => {
    const g = new ContaminationGate(check, { ngram: 13 });
    for (let line = 1; line <= 100; line++) g.add(line, line === 1 ? "LEAK" : "clean");
    expect(g.result()).toMatchObject({ passed: false, threshold: 0.001 });
  });

  it("works with the real benchmark fingerprints", () => {
    const benchmark = [
      { question: "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four." },
      { question: "A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take to make the robe?" },
    ];
    const fp = buildFingerprints(benchmark, { n: 13 });
    const g = new ContaminationGate((t) => contaminationOf(t, fp), { ngram: fp.n });
    g.add(1, `Solve: ${benchmark[1]!.question}`);
    g.add(2, "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.");
    const r = g.result();
    expect(r.contaminated_records).toBe(1);
    expect(r.examples[0]).toMatchObject({ line: 1, benchmark_index: 1 });
  });
});
