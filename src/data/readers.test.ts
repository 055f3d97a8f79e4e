import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { countRows, detectFormat, MalformedRecordError, newReadStats, readRecords, sampleRecords, type ReadItem, type ReadOptions } from "./readers.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "datachef-readers-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer | ArrayBuffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content instanceof ArrayBuffer ? Buffer.from(content) : content);
  return p;
}

async function all(p: string, opts: ReadOptions = {}): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const item of readRecords(p, opts)) out.push(item);
  return out;
}

async function failure(p: string, opts: ReadOptions = {}): Promise<unknown> {
  try {
    await all(p, opts);
  } catch (e) {
    return e;
  }
  throw new Error("expected the read to fail");
}

describe("detectFormat", () => {
  test("by extension", () => {
    for (const [name, fmt] of [
      ["a.jsonl", "jsonl"],
      ["a.NDJSON", "jsonl"],
      ["a.csv", "csv"],
      ["a.tsv", "csv"],
      ["a.parquet", "parquet"],
    ] as const)
      expect(detectFormat(file(name, ""))).toBe(fmt);
  });
  test(".json is sniffed: an array, a pretty object, or JSON lines", () => {
    expect(detectFormat(file("arr.json", ' \n[{"a":1}]'))).toBe("json");
    expect(detectFormat(file("obj.json", '{\n "a": 1\n}\n'))).toBe("json");
    expect(detectFormat(file("lines.json", '{"a":1}\n{"a":2}\n'))).toBe("jsonl");
  });
  test("unknown extensions are sniffed, override wins", () => {
    expect(detectFormat(file("data.txt", "q,a\n1,2\n"))).toBe("csv");
    expect(detectFormat(file("data.bin", Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(8)])))).toBe("parquet");
    expect(detectFormat(file("data2.txt", "q,a\n"), "jsonl")).toBe("jsonl");
  });
  test("compressed files are refused with a next step", () => {
    expect(() => detectFormat(file("x.jsonl.gz", "x"))).toThrow(/decompress/);
  });
});

describe("JSONL", () => {
  test("CRLF, blank lines and a BOM; line numbers are physical", async () => {
    const p = file("crlf.jsonl", '\uFEFF{"a":1}\r\n\r\n   \n{"a":2}\r\n{"a":3}');
    const items = await all(p);
    expect(items).toEqual([
      { record: { a: 1 }, line: 1 },
      { record: { a: 2 }, line: 4 },
      { record: { a: 3 }, line: 5 },
    ]);
  });
  test("a malformed line fails with file and line by default", async () => {
    const p = file("bad.jsonl", '{"a":1}\n{"a":\n{"a":3}\n');
    const e = await failure(p);
    expect(e).toBeInstanceOf(MalformedRecordError);
    expect((e as MalformedRecordError).file).toBe(p);
    expect((e as MalformedRecordError).line).toBe(2);
    expect((e as Error).message).toContain(`${p}:2`);
  });
  test("in fail mode every good record before the malformed one is still delivered", async () => {
    const p = file("failafter.jsonl", '{"a":1}\n{"a":2}\n{oops\n{"a":4}\n');
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const { record } of readRecords(p)) seen.push(record.a);
      })(),
    ).rejects.toMatchObject({ line: 3 });
    expect(seen).toEqual([1, 2]);
  });
  test("skip mode counts malformed lines, keeps examples and reads on", async () => {
    const p = file("skip.jsonl", '{"a":1}\nnot json\n[1,2]\n"str"\n{"a":5}\n');
    const stats = newReadStats();
    const items = await all(p, { onMalformed: "skip", stats, maxMalformedExamples: 2 });
    expect(items.map((i) => i.record.a)).toEqual([1, 5]);
    expect(stats.rows).toBe(2);
    expect(stats.malformed).toBe(3);
    expect(stats.malformedExamples.map((m) => m.line)).toEqual([2, 3]);
    expect(stats.malformedExamples[1]!.error).toMatch(/expected a JSON object, got an array/);
    expect(stats.malformedExamples[0]!.file).toBe(p);
  });
  test("invalid UTF-8 is replaced, counted per line, not fatal", async () => {
    const p = file(
      "latin1.jsonl",
      Buffer.concat([Buffer.from('{"t":"caf'), Buffer.from([0xe9]), Buffer.from('"}\n{"t":"ok \uFFFD real"}\n{"t":"x'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]),
    );
    const stats = newReadStats();
    const items = await all(p, { stats });
    expect(items.map((i) => i.record.t)).toEqual(["caf\uFFFD", "ok \uFFFD real", "x\uFFFD\uFFFD"]);
    expect(stats.invalidUtf8Lines).toBe(2); // a genuine U+FFFD in the data is not an invalid byte
  });
  test("empty files give no records and no error", async () => {
    expect(await all(file("empty.jsonl", ""))).toEqual([]);
    expect(await all(file("empty.json", ""))).toEqual([]);
    expect(await all(file("empty.csv", ""))).toEqual([]);
    expect(await all(file("empty.parquet", ""))).toEqual([]);
    expect(await countRows(path.join(dir, "empty.parquet"))).toBe(0);
  });
  test("records across 1 MiB chunk boundaries, multi-byte characters intact", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 30000; i++) lines.push(JSON.stringify({ i, t: `ünïcødé ✓ ${"€".repeat(i % 7)} 数学` }));
    const p = file("big.jsonl", lines.join("\n") + "\n");
    const stats = newReadStats();
    const items = await all(p, { stats });
    expect(items.length).toBe(30000);
    expect(items[29999]!.record).toEqual({ i: 29999, t: `ünïcødé ✓ ${"€".repeat(29999 % 7)} 数学` });
    expect(stats.invalidUtf8Lines).toBe(0);
    expect(stats.bytes).toBeGreaterThan(1024 * 1024);
    expect(await countRows(p)).toBe(30000);
  });
  test("a line over maxRecordBytes is malformed without stopping the read", async () => {
    const p = file("long.jsonl", `{"a":1}\n{"t":"${"x".repeat(5000)}"}\n{"a":3}\n`);
    const stats = newReadStats();
    const items = await all(p, { onMalformed: "skip", stats, maxRecordBytes: 1000 });
    expect(items.map((i) => i.line)).toEqual([1, 3]);
    expect(stats.malformedExamples[0]).toMatchObject({ line: 2, error: expect.stringMatching(/longer than 1000/) });
  });
  test("limit and abort", async () => {
    const p = file("five.jsonl", [1, 2, 3, 4, 5].map((a) => JSON.stringify({ a })).join("\n"));
    expect((await all(p, { limit: 2 })).map((i) => i.record.a)).toEqual([1, 2]);
    const ac = new AbortController();
    ac.abort();
    await expect(all(p, { signal: ac.signal })).rejects.toThrow();
  });
  test("countRows counts non-blank lines without parsing (malformed included)", async () => {
    expect(await countRows(file("c1.jsonl", '{"a":1}\n\n  \nbroken\n{"a":2}'))).toBe(3);
    expect(await countRows(file("c2.jsonl", '\uFEFF{"a":1}\r\n'))).toBe(1);
    expect(await countRows(file("c3.jsonl", "\n\n\uFEFF"))).toBe(1);
  });
});

describe("JSON (streamed)", () => {
  test("array elements with their start lines; brackets and escapes inside strings", async () => {
    const p = file("arr.json", '[\n  {"q": "a ] tricky } \\" string [", "n": [1, {"x": 2}]},\n  {"q": "second"}\n]\n');
    const items = await all(p);
    expect(items).toEqual([
      { record: { q: 'a ] tricky } " string [', n: [1, { x: 2 }] }, line: 2 },
      { record: { q: "second" }, line: 3 },
    ]);
  });
  test("a malformed element is reported by line, the rest is read", async () => {
    const p = file("arrbad.json", '[\n{"a":1},\n{"a":tru},\n7,\n{"a":4}\n]');
    const stats = newReadStats();
    const items = await all(p, { onMalformed: "skip", stats });
    expect(items.map((i) => i.record.a)).toEqual([1, 4]);
    expect(stats.malformedExamples.map((m) => m.line)).toEqual([3, 4]);
    const e = await failure(p);
    expect(e).toMatchObject({ name: "MalformedRecordError", line: 3, file: p });
  });
  test("a truncated array yields what is complete, then reports the end", async () => {
    const stats = newReadStats();
    const items = await all(file("trunc.json", '[{"a":1},\n{"a":2'), { onMalformed: "skip", stats });
    expect(items.map((i) => i.record.a)).toEqual([1]);
    expect(stats.malformed).toBe(1);
    expect(stats.malformedExamples[0]!.error).toMatch(/end of file/);
  });
  test("a dict of objects becomes rows with the key as _key", async () => {
    const stats = newReadStats();
    const items = await all(file("dict.json", '{"123": {"q": "x"},\n "456": {"q": "y", "_key": "own"},\n "789": [1],\n "999": {"q": "z"}}'), { onMalformed: "skip", stats });
    expect(items.map((i) => i.record)).toEqual([
      { _key: "123", q: "x" },
      { _key: "own", q: "y" },
      { _key: "999", q: "z" },
    ]);
    expect(items.map((i) => i.line)).toEqual([1, 2, 4]);
    expect(stats.malformedExamples[0]).toMatchObject({ line: 3, error: "expected a JSON object, got an array" });
  });
  test("an object that starts with one object member and goes on otherwise is one record", async () => {
    const items = await all(file("meta.json", '{"info": {"v": 1},\n "data": [{"a": 1}, {"a": 2}]}'));
    expect(items).toEqual([{ record: { info: { v: 1 }, data: [{ a: 1 }, { a: 2 }] }, line: 1 }]);
    const one = await all(file("onemember.json", '{"config": {"k": "v"}}'));
    expect(one.map((i) => i.record)).toEqual([{ config: { k: "v" } }]);
  });
  test("any other top-level object is one record; a scalar is malformed", async () => {
    const items = await all(file("one.json", '{"version": 2, "data": [{"a": 1}], "__proto__": {"polluted": true}}'));
    expect(items.length).toBe(1);
    expect(items[0]!.record.version).toBe(2);
    expect(Object.keys(items[0]!.record)).toEqual(["version", "data", "__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const e = await failure(file("scalar.json", "42"));
    expect(e).toBeInstanceOf(MalformedRecordError);
  });
  test("elements spanning chunk boundaries", async () => {
    const arr = Array.from({ length: 20000 }, (_, i) => ({ i, s: `"quoted" \\ back ]} ${"ß".repeat(i % 11)}` }));
    const items = await all(file("bigarr.json", JSON.stringify(arr, null, 1)));
    expect(items.length).toBe(20000);
    expect(items.map((x) => x.record)).toEqual(arr);
  });
});

describe("CSV", () => {
  test("RFC 4180: quoted delimiters, newlines and doubled quotes; values stay strings", async () => {
    const p = file("q.csv", 'id,text,score\r\n1,"hello, world",007\r\n2,"line one\r\nline ""two""",1e5\r\n3,,\r\n');
    const items = await all(p);
    expect(items).toEqual([
      { record: { id: "1", text: "hello, world", score: "007" }, line: 2 },
      // the CRLF inside quotes is data, kept as is
      { record: { id: "2", text: 'line one\r\nline "two"', score: "1e5" }, line: 3 },
      { record: { id: "3", text: "", score: "" }, line: 5 },
    ]);
    expect(await countRows(p)).toBe(3);
  });
  test("TSV by extension, BOM, duplicate and empty header names", async () => {
    const items = await all(file("t.tsv", "\uFEFFa\ta\t\nx\ty\tz\n"));
    expect(items[0]!.record).toEqual({ a: "x", a_2: "y", column_3: "z" });
  });
  test("the delimiter is sniffed from the header line", async () => {
    const items = await all(file("semi.txt", "q;a\n1;2\n"));
    expect(items[0]!.record).toEqual({ q: "1", a: "2" });
  });
  test("wrong field counts and unterminated quotes are malformed, by line", async () => {
    const p = file("bad.csv", 'a,b\n1,2\n3\n4,5,6\n7,"open\n');
    const stats = newReadStats();
    const items = await all(p, { onMalformed: "skip", stats });
    expect(items.map((i) => i.record)).toEqual([{ a: "1", b: "2" }]);
    expect(stats.malformedExamples.map((m) => [m.line, m.error])).toEqual([
      [3, "expected 2 fields (header), got 1"],
      [4, "expected 2 fields (header), got 3"],
      [5, "unterminated quoted field at end of file"],
    ]);
    const e = await failure(p);
    expect(e).toMatchObject({ line: 3, file: p });
  });
  test("invalid UTF-8 in a row is counted", async () => {
    const stats = newReadStats();
    const items = await all(file("l1.csv", Buffer.concat([Buffer.from("a\ncaf"), Buffer.from([0xe9]), Buffer.from("\nok\n")])), { stats });
    expect(items.map((i) => i.record.a)).toEqual(["caf\uFFFD", "ok"]);
    expect(stats.invalidUtf8Lines).toBe(1);
  });
});

describe("Parquet", () => {
  const columnData = [
    { name: "id", data: [1n, 2n, 9007199254740993n, 4n, 5n] },
    {
      name: "question",
      data: [
        { text: "What is 2+2?", choices: ["3", "4"] },
        { text: "Capital of France?", choices: [] },
        null,
        { text: "Pick one", choices: ["a", null, "c"] },
        { text: "Last", choices: ["z"] },
      ],
    },
    { name: "tags", data: [["math"], null, ["x", "y"], [], ["geo"]] },
    { name: "label", data: ["pos", "neg", null, "pos", "neg"] },
  ];
  const schema = [
    { name: "root", num_children: 4 },
    { name: "id", type: "INT64", repetition_type: "REQUIRED" },
    { name: "question", repetition_type: "OPTIONAL", num_children: 2 },
    { name: "text", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
    { name: "choices", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "element", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
    { name: "tags", repetition_type: "OPTIONAL", converted_type: "LIST", num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    { name: "element", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
    { name: "label", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
  ] as const;
  const expected = [
    { id: 1, question: { text: "What is 2+2?", choices: ["3", "4"] }, tags: ["math"], label: "pos" },
    { id: 2, question: { text: "Capital of France?", choices: [] }, tags: null, label: "neg" },
    { id: "9007199254740993", question: null, tags: ["x", "y"], label: null },
    { id: 4, question: { text: "Pick one", choices: ["a", null, "c"] }, tags: [], label: "pos" },
    { id: 5, question: { text: "Last", choices: ["z"] }, tags: ["geo"], label: "neg" },
  ];

  test("nested lists and structs, BigInt, nulls; row groups in order", async () => {
    // rowGroupSize 2: three row groups, read one at a time
    const buf = parquetWriteBuffer({ columnData, schema: schema as never, rowGroupSize: 2 });
    const p = file("nested.parquet", buf);
    const stats = newReadStats();
    const items = await all(p, { stats });
    expect(items.map((i) => i.record)).toEqual(expected);
    expect(items.map((i) => i.line)).toEqual([1, 2, 3, 4, 5]);
    expect(stats.rows).toBe(5);
    expect(stats.bytes).toBe(buf.byteLength);
    expect(await countRows(p)).toBe(5);
    expect((await all(p, { limit: 3 })).map((i) => i.record)).toEqual(expected.slice(0, 3));
  });
  test("GZIP-compressed pages decode through hyparquet-compressors", async () => {
    const buf = parquetWriteBuffer({
      columnData,
      schema: schema as never,
      codec: "GZIP",
      compressors: { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) },
    });
    const items = await all(file("gzip.parquet", buf));
    expect(items.map((i) => i.record)).toEqual(expected);
  });
  test("a file that is not Parquet fails with its name", async () => {
    const p = file("fake.parquet", "PAR1 this is not parquet PAR1");
    await expect(all(p)).rejects.toThrow(/fake\.parquet: not a readable Parquet file/);
  });
});

describe("sampleRecords", () => {
  const p = () => file("hundred.jsonl", Array.from({ length: 100 }, (_, i) => JSON.stringify({ i })).join("\n"));
  test("deterministic per seed, in file order, different across seeds", async () => {
    const f = p();
    const a = (await sampleRecords(f, 10, 7)).map((x) => x.record.i as number);
    const b = (await sampleRecords(f, 10, 7)).map((x) => x.record.i as number);
    const c = (await sampleRecords(f, 10, 8)).map((x) => x.record.i as number);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.length).toBe(10);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(new Set(a).size).toBe(10);
    expect((await sampleRecords(f, 500, 1)).length).toBe(100);
  });
  test("roughly uniform: every record is drawn about k/n of the time", async () => {
    const f = p();
    const hits = new Array(100).fill(0);
    for (let seed = 0; seed < 400; seed++) for (const x of await sampleRecords(f, 10, seed)) hits[x.record.i as number]++;
    // expected 40 each; a biased sampler (e.g. keeping the first k) fails this
    expect(Math.min(...hits)).toBeGreaterThan(15);
    expect(Math.max(...hits)).toBeLessThan(70);
  });
});
