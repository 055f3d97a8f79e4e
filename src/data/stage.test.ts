import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { parseTaskSpec, type LoadedTask } from "../task/spec.js";
import { MalformedRecordError } from "./records.js";
import { defaultStageMaxRows, stageSources } from "./stage.js";

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "datachef-stage-"));
  cacheDir = path.join(dir, "cache");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function task(sources: { id: string; path: string }[], maxRecords = 100): LoadedTask {
  writeFileSync(path.join(dir, "bench.jsonl"), '{"q":"b","a":"1"}\n');
  return parseTaskSpec({ id: "t", instruction: "x", benchmark: { id: "bench", path: "bench.jsonl" }, sources, budget: { max_records: maxRecords } }, "<inline>", dir);
}

const lines = (p: string) => readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

describe("stageSources", () => {
  test("converts CSV, JSON and Parquet to JSONL, one object per line", async () => {
    writeFileSync(path.join(dir, "a.csv"), 'q,a\n"multi\nline",1\nplain,2\n');
    writeFileSync(path.join(dir, "b.json"), '[{"q":"x","n":{"k":[1,2]}},{"q":"y"}]');
    writeFileSync(
      path.join(dir, "c.parquet"),
      Buffer.from(parquetWriteBuffer({ columnData: [{ name: "q", data: ["p1", "p2"] }, { name: "n", data: [1n, 2n] }] })),
    );
    const staged = await stageSources(task([{ id: "a", path: "a.csv" }, { id: "b", path: "b.json" }, { id: "c", path: "c.parquet" }]), { cacheDir });
    expect(staged.map((s) => [s.id, s.format, s.rows, s.cached, s.truncated])).toEqual([
      ["a", "csv", 2, false, false],
      ["b", "json", 2, false, false],
      ["c", "parquet", 2, false, false],
    ]);
    expect(lines(staged[0]!.jsonlPath)).toEqual([{ q: "multi\nline", a: "1" }, { q: "plain", a: "2" }]);
    expect(lines(staged[1]!.jsonlPath)).toEqual([{ q: "x", n: { k: [1, 2] } }, { q: "y" }]);
    expect(lines(staged[2]!.jsonlPath)).toEqual([{ q: "p1", n: 1 }, { q: "p2", n: 2 }]);
    for (const s of staged) expect(s.jsonlPath.startsWith(cacheDir)).toBe(true);
    expect(readdirSync(cacheDir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  test("a second run reuses the cache; changed bytes convert again", async () => {
    const src = path.join(dir, "s.jsonl");
    writeFileSync(src, '{"a":1}\n{"a":2}\n');
    const t = task([{ id: "s", path: "s.jsonl" }]);
    const [first] = await stageSources(t, { cacheDir });
    const mtime = statSync(first!.jsonlPath).mtimeMs;
    const [second] = await stageSources(t, { cacheDir });
    expect(second).toEqual({ ...first, cached: true });
    expect(statSync(second!.jsonlPath).mtimeMs).toBe(mtime);
    writeFileSync(src, '{"a":1}\n{"a":3}\n');
    const [third] = await stageSources(t, { cacheDir });
    expect(third!.cached).toBe(false);
    expect(third!.jsonlPath).not.toBe(first!.jsonlPath);
    expect(third!.sourceSha256).not.toBe(first!.sourceSha256);
    expect(lines(third!.jsonlPath)).toEqual([{ a: 1 }, { a: 3 }]);
    // a different cap is a different conversion
    const [capped] = await stageSources(t, { cacheDir, maxRows: 1 });
    expect([capped!.cached, capped!.rows, capped!.truncated]).toEqual([false, 1, true]);
    expect(lines(capped!.jsonlPath)).toEqual([{ a: 1 }]);
  });

  test("sha256 is the staged file's hash", async () => {
    writeFileSync(path.join(dir, "s.jsonl"), '{"a":"é"}\n');
    const [s] = await stageSources(task([{ id: "s", path: "s.jsonl" }]), { cacheDir });
    const { createHash } = await import("node:crypto");
    expect(s!.sha256).toBe(createHash("sha256").update(readFileSync(s!.jsonlPath)).digest("hex"));
  });

  test("malformed records are skipped and reported by default, fatal on request", async () => {
    writeFileSync(path.join(dir, "m.jsonl"), '{"a":1}\nnope\n{"a":2}\n');
    const t = task([{ id: "m", path: "m.jsonl" }]);
    const [s] = await stageSources(t, { cacheDir });
    expect([s!.rows, s!.malformed, s!.malformedExamples[0]!.line]).toEqual([2, 1, 2]);
    const e = await stageSources(t, { cacheDir, onMalformed: "fail" }).catch((x) => x);
    expect(e).toBeInstanceOf(MalformedRecordError);
    expect(e.line).toBe(2);
    expect(readdirSync(cacheDir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  test("the default row cap follows the task budget", () => {
    expect(defaultStageMaxRows(task([{ id: "s", path: "s.jsonl" }], 100))).toBe(100_000);
    expect(defaultStageMaxRows(task([{ id: "s", path: "s.jsonl" }], 50_000))).toBe(1_000_000);
  });
});
