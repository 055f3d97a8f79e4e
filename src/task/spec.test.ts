import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isHfRef, loadTaskSpec, TaskSpecError } from "./spec.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "datachef-spec-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const base = () => ({
  id: "gsm8k",
  instruction: "Solve grade-school math.",
  benchmark: { id: "gsm8k_test", path: "../data/test.jsonl" },
  sources: [{ id: "gsm8k_train", path: "../data/train.jsonl", license: "MIT" }],
});

function writeSpec(spec: unknown, name = "tasks/task.json"): string {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, typeof spec === "string" ? spec : JSON.stringify(spec, null, 2));
  return p;
}

function specError(file: string): TaskSpecError {
  try {
    loadTaskSpec(file);
  } catch (e) {
    expect(e).toBeInstanceOf(TaskSpecError);
    return e as TaskSpecError;
  }
  throw new Error("expected loadTaskSpec to fail");
}

describe("loadTaskSpec", () => {
  test("relative paths resolve against the spec's folder, not the working directory", () => {
    const file = writeSpec(base());
    const cwd = process.cwd();
    process.chdir(os.tmpdir());
    try {
      const t = loadTaskSpec(file);
      expect(t.spec.benchmark.path).toBe(path.join(dir, "data", "test.jsonl"));
      expect(t.spec.sources[0]!.path).toBe(path.join(dir, "data", "train.jsonl"));
      expect(t.baseDir).toBe(path.join(dir, "tasks"));
      expect(t.maxRecords).toBe(10000);
      expect(t.warnings).toEqual([]);
    } finally {
      process.chdir(cwd);
    }
  });

  test("absolute paths and hf:// references pass through", () => {
    const spec = base();
    spec.benchmark.path = "/abs/bench.jsonl";
    spec.sources[0]!.path = "hf://datasets/openai/gsm8k";
    const t = loadTaskSpec(writeSpec(spec));
    expect(t.spec.benchmark.path).toBe("/abs/bench.jsonl");
    expect(t.spec.sources[0]!.path).toBe("hf://datasets/openai/gsm8k");
    expect(isHfRef(t.spec.sources[0]!.path)).toBe(true);
    expect(isHfRef("/data/hf.jsonl")).toBe(false);
  });

  test("a missing required field is named", () => {
    const { instruction: _, ...spec } = base();
    const e = specError(writeSpec(spec));
    expect(e.message).toContain("field 'instruction'");
    expect(e.file).toContain("task.json");
  });

  test("a mistyped field is named with its position", () => {
    const spec = base() as Record<string, unknown>;
    (spec.sources as Record<string, unknown>[])[0]!.path = 42;
    (spec as { budget?: unknown }).budget = { max_records: "many" };
    const e = specError(writeSpec(spec));
    expect(e.message).toContain("field 'sources[0].path'");
    expect(e.message).toContain("field 'budget.max_records'");
  });

  test("unknown fields warn with their names and still load", () => {
    const spec = { ...base(), descripton: "typo", sources: [{ ...base().sources[0]!, lisence: "MIT" }], benchmark: { ...base().benchmark, exmples: 2 } };
    const t = loadTaskSpec(writeSpec(spec));
    expect(t.warnings).toEqual([
      "unknown field 'descripton' (ignored; a typo?)",
      "unknown field 'benchmark.exmples' (ignored; a typo?)",
      "unknown field 'sources[0].lisence' (ignored; a typo?)",
    ]);
  });

  test("the benchmark file as a source is rejected, by path or by id", () => {
    const byPath = base();
    byPath.sources.push({ id: "sneaky", path: "../data/../data/test.jsonl", license: "MIT" });
    expect(specError(writeSpec(byPath)).message).toMatch(/source 'sneaky' points at the benchmark file/);
    const byId = base();
    byId.sources.push({ id: "gsm8k_test", path: "../data/other.jsonl", license: "MIT" });
    expect(specError(writeSpec(byId)).message).toMatch(/field 'benchmark.id'.*also listed as a source/);
  });

  test("unreadable files and invalid JSON name the file (and line)", () => {
    expect(specError(path.join(dir, "missing.json")).message).toMatch(/missing\.json: cannot read task spec \(ENOENT\)/);
    // a missing comma: V8 reports a position, which becomes the line (3)
    expect(specError(writeSpec('{\n "id": "x"\n "instruction": "y"}')).message).toMatch(/task\.json:3: not valid JSON/);
    // V8 gives no position for some errors; the file is still named
    expect(specError(writeSpec('{\n  "id": "x",\n  "instruction": \n}')).message).toMatch(/task\.json(:\d+)?: not valid JSON/);
  });
});
