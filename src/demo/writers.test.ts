import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetMetadata } from "hyparquet";
import { readRows } from "./fixture-checks.js";
import { csvField, parseCsv, parseCsvObjects, parquetBytes, toCsv, writeCsv, writeJsonArray, writeJsonl, writeParquet } from "./writers.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "demo-writers-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("CSV", () => {
  test("quotes only fields that need it", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField(" padded")).toBe('" padded"');
    expect(csvField(42)).toBe("42");
    expect(csvField(null)).toBe("");
    expect(csvField({ a: 1 })).toBe('"{""a"":1}"');
  });

  test("round-trips awkward values through the parser", () => {
    const rows = [
      { q: 'He said "stop", then left.', a: "line 1\nline 2\r\nline 3" },
      { q: "", a: " lead and trail " },
      { q: "x,y,z", a: '""' },
    ];
    const text = toCsv(["q", "a"], rows);
    expect(parseCsvObjects(text)).toEqual(rows);
  });

  test("parser rejects an unterminated quote and ragged rows", () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/quoted field/);
    expect(() => parseCsvObjects("a,b\n1,2,3\n")).toThrow(/3 fields/);
  });
});

describe("files", () => {
  test("JSONL, JSON array and CSV read back equal", async () => {
    const rows = [{ id: 1, text: "héllo, world", nested: { k: ["v"] } }, { id: 2, text: "second", nested: { k: [] } }];
    await writeJsonl(path.join(dir, "a.jsonl"), rows);
    await writeJsonArray(path.join(dir, "a.json"), rows);
    await writeCsv(path.join(dir, "a.csv"), ["id", "text"], rows);
    expect(await readRows(path.join(dir, "a.jsonl"))).toEqual(rows);
    expect(await readRows(path.join(dir, "a.json"))).toEqual(rows);
    expect(await readRows(path.join(dir, "a.csv"))).toEqual([{ id: "1", text: "héllo, world" }, { id: "2", text: "second" }]);
    expect(readFileSync(path.join(dir, "a.jsonl"), "utf8").split("\n")).toHaveLength(3);
  });

  test("Parquet keeps structs, lists of structs, optional fields and doubles", async () => {
    const rows = [
      { meta: { grade: 3, topic: "travel" }, steps: ["a", "b"], items: [{ name: "x", amount: 1.5 }], score: 1, note: "first" },
      { meta: { grade: 4, topic: "baking" }, steps: [], items: [{ name: "y", amount: 2 }, { name: "z", amount: 3 }], score: 2.25 },
      { meta: { grade: 5, topic: "fuel", extra: true }, steps: ["c"], items: [], score: 3, note: null },
    ];
    const file = path.join(dir, "nested.parquet");
    await writeParquet(file, rows);
    const back = await readRows(file);
    expect(back).toHaveLength(3);
    expect(back[0]).toMatchObject({ meta: { grade: 3, topic: "travel" }, steps: ["a", "b"], items: [{ name: "x", amount: 1.5 }], score: 1, note: "first" });
    expect(back[1]).toMatchObject({ steps: [], items: [{ name: "y", amount: 2 }, { name: "z", amount: 3 }], score: 2.25 });
    expect(back[1]!.note ?? null).toBeNull();
    expect((back[2]!.meta as Record<string, unknown>).extra).toBe(true);
    expect((back[0]!.meta as Record<string, unknown>).extra ?? null).toBeNull();
    const meta = parquetMetadata(parquetBytes(rows));
    expect(meta.schema.map((s) => s.name)).toEqual(expect.arrayContaining(["meta", "grade", "steps", "list", "element", "items", "amount"]));
  });

  test("Parquet refuses mixed column types and empty tables", () => {
    expect(() => parquetBytes([{ a: 1 }, { a: "x" }])).toThrow(/mixes/);
    expect(() => parquetBytes([])).toThrow(/no rows/);
  });

  test("Parquet bytes are deterministic", () => {
    const rows = [{ q: "a", v: [1, 2] }, { q: "b", v: [3] }];
    expect(Buffer.from(parquetBytes(rows)).equals(Buffer.from(parquetBytes(rows)))).toBe(true);
  });
});
