import { existsSync } from "node:fs";
import { TOOLKIT_PATH, toolkitClasses, toolkitExample, toolkitFunctions, toolkitReference, toolkitSource } from "./reference.js";

/** The API the coder agent is told to use: these names and signatures must stay. */
const CONTRACT: Record<string, string> = {
  iter_source: "source_id, limit=None",
  load_source: "source_id, limit=None",
  get_field: "record, path, default=None",
  filter_records: "records, predicate, step=None",
  map_records: "records, fn, step=None",
  select_by_keywords: 'records, keywords, fields=None, mode="any", step=None',
  to_chat: "user, assistant, system=None, source=None",
  validate_chat: "rec",
  standardize: "records, build, source=None, step=None",
  normalize_text: "s",
  text_hash: "s",
  dedup_exact: "records, key=None, step=None",
  dedup_near: "records, key=None, shingle=5, num_perm=128, threshold=0.8, bands=None, seed=1, step=None",
  filter_length: 'records, role="assistant", min_chars=1, max_chars=None, step=None',
  filter_outliers: 'records, role="assistant", z=3.0, quantiles=None, step=None',
  load_benchmark_ngrams: "path=None",
  decontaminate: "records, fingerprints=None, overlap=None, step=None",
  mix: "groups, weights=None, total=None, seed=0",
  sample: "records, n, seed=0",
  shuffle: "records, seed=0",
  dump_jsonl: "records, path=None",
  extract_json: "text",
  generate_with_llm: "prompt, system=None, parser=None, max_tokens=None, temperature=None",
  log_step: "name, n_in, n_out, **extra",
  source_stats: "",
};

describe("toolkit reference", () => {
  test("TOOLKIT_PATH points at the Python file", () => {
    expect(TOOLKIT_PATH.endsWith("/src/toolkit/datachef_toolkit.py")).toBe(true);
    expect(existsSync(TOOLKIT_PATH)).toBe(true);
    expect(toolkitSource()).toContain("def dump_jsonl(");
  });

  test("every contracted function exists with its signature as a prefix", () => {
    const fns = new Map(toolkitFunctions().map((f) => [f.name, f]));
    for (const [name, sig] of Object.entries(CONTRACT)) {
      const f = fns.get(name);
      expect(f).toBeDefined();
      expect(f!.signature.startsWith(sig)).toBe(true);
      expect(f!.summary.length).toBeGreaterThan(10);
    }
    expect(fns.has("_norm_bytes")).toBe(false); // private helpers stay out
  });

  test("parses multi-line signatures and docstrings", () => {
    const src = [
      "def one(a, b=(1, 2),",
      "        c={'x': 1}):",
      '    """First line that',
      '    wraps. Second sentence."""',
      "",
      "def _hidden(x):",
      '    """No."""',
      "",
      "class Boom(DatachefError, RuntimeError):",
      '    """Raised when it goes boom."""',
    ].join("\n");
    expect(toolkitFunctions(src)).toEqual([{ name: "one", signature: "a, b=(1, 2), c={'x': 1}", summary: "First line that wraps." }]);
    expect(toolkitClasses(src)).toEqual([{ name: "Boom", bases: "DatachefError, RuntimeError", summary: "Raised when it goes boom." }]);
  });

  test("reference is compact and complete enough for a prompt", () => {
    const ref = toolkitReference();
    const lines = ref.split("\n");
    expect(lines.length).toBeLessThanOrEqual(80);
    for (const name of Object.keys(CONTRACT)) expect(ref).toContain(`dc.${name}(`);
    expect(ref).toContain("NoModelConfigured");
    expect(ref).toContain("DATACHEF_SOURCES");
    expect(toolkitExample().some((l) => l.includes("dc.dump_jsonl("))).toBe(true);
    expect(ref).toContain("#   recs = dc.standardize(");
  });
});
