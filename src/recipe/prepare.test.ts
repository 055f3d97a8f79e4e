import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { LoadedTask } from "../task/spec.js";
import { benchmarkRecords, fingerprintsFor, readFingerprintsFile } from "./prepare.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "prepare-cache-"));
const taskOf = (file: string) => ({ spec: { benchmark: { path: file } } }) as unknown as LoadedTask;
const line = (q: string) => JSON.stringify({ question: q, answer: "#### 1" });
const LONG = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";

describe("per-task caches of prepare", () => {
  const saved = process.env.DATACHEF_CACHE;
  beforeAll(() => (process.env.DATACHEF_CACHE = path.join(dir, "cache")));
  afterAll(() => (saved === undefined ? delete process.env.DATACHEF_CACHE : (process.env.DATACHEF_CACHE = saved)));

  it("benchmarkRecords reads a benchmark once, shares it frozen, and reads it again when it changes", async () => {
    const file = path.join(dir, "bench.jsonl");
    writeFileSync(file, [line("a"), line("b")].join("\n"));
    const first = await benchmarkRecords(taskOf(file));
    expect(first.map((r) => r.question)).toEqual(["a", "b"]);
    expect(await benchmarkRecords(taskOf(file))).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    writeFileSync(file, [line("a"), line("b"), line("c")].join("\n"));
    const changed = await benchmarkRecords(taskOf(file));
    expect(changed).not.toBe(first);
    expect(changed).toHaveLength(3);
  });

  it("readFingerprintsFile parses once per file version", () => {
    const file = path.join(dir, "fp.json");
    writeFileSync(file, JSON.stringify({ n: 13, index: {} }));
    const fp = readFingerprintsFile(file);
    expect(readFingerprintsFile(file)).toBe(fp);
    writeFileSync(file, JSON.stringify({ n: 8, index: {} }));
    expect(readFingerprintsFile(file).n).toBe(8);
  });

  it("fingerprintsFor follows the benchmark's content and n", () => {
    const file = path.join(dir, "bench2.jsonl");
    writeFileSync(file, line(LONG));
    const a = fingerprintsFor(file, [{ question: LONG }], 13);
    expect(fingerprintsFor(file, [{ question: LONG }], 13)).toEqual(a);
    expect(a.fp.segments).toEqual([2]);
    const n8 = fingerprintsFor(file, [{ question: LONG }], 8);
    expect(n8.file).not.toBe(a.file);
    expect(n8.fp.n).toBe(8);
    writeFileSync(file, line(`${LONG} fifteen sixteen`));
    const b = fingerprintsFor(file, [{ question: `${LONG} fifteen sixteen` }], 13);
    expect(b.file).not.toBe(a.file);
    expect(b.fp.segments).toEqual([4]);
  });
});
