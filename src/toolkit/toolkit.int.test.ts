/**
 * Cross-language agreement: the Python toolkit (run directly with python3: it is our code, not
 * generated code) and the TS side must normalise, hash and judge contamination identically.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chatRecordError } from "../data/chat.js";
import { normalizeText, recordText, textHash } from "../data/text.js";
import { buildFingerprints, contaminationOf, saveFingerprints } from "../verify/ngrams.js";
import { TOOLKIT_PATH } from "./reference.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = path.resolve(ROOT, "../shared");
const DATASETS = path.join(SHARED, "datasets");
const HAS_SHARED = existsSync(DATASETS);
if (!HAS_SHARED) console.warn(`SKIPPING toolkit cross-language tests: ${SHARED} not found`);
const d = HAS_SHARED ? describe : describe.skip;

const readJsonl = (rel: string): Record<string, unknown>[] =>
  readFileSync(path.join(DATASETS, rel), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

/** Runs a Python snippet with the toolkit importable; `input` goes in as JSON, the result comes back as JSON. */
function runPython(dir: string, code: string, input: unknown): any {
  const script = path.join(dir, "driver.py");
  const inFile = path.join(dir, "in.json");
  const outFile = path.join(dir, "out.json");
  writeFileSync(inFile, JSON.stringify(input));
  writeFileSync(
    script,
    [
      "import json, sys",
      `sys.path.insert(0, ${JSON.stringify(path.dirname(TOOLKIT_PATH))})`,
      "import datachef_toolkit as dc",
      `inp = json.load(open(${JSON.stringify(inFile)}, encoding="utf-8"))`,
      code,
      `json.dump(out, open(${JSON.stringify(outFile)}, "w"))`,
    ].join("\n"),
  );
  const r = spawnSync("python3", [script], {
    cwd: dir,
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, DATACHEF_QUIET: "1", DATACHEF_OUTPUT: path.join(dir, "output", "data.jsonl") },
  });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(readFileSync(outFile, "utf8"));
}

const EDGE_CASES = [
  "Janet’s ducks lay 16 eggs!",
  "ＡＢＣ déjà-vu ﬁne ½ Ⅻ x² ³⁄₄",
  "İstanbul ΟΔΟΣ ΣΊΣΥΦΟΣ ß ǅ",
  "日本語のテキスト、です。中文标点：你好！",
  "नमस्ते दुनिया  مرحبا بالعالم",
  "snake_case__and--dashes...",
  "lone \ud800 surrogate and 😀 emoji",
  "tabs\tand\r\nnewlines\u2028sep\u00a0nbsp",
  "",
];

d("toolkit agrees with the TS side", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "toolkit-int-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("normalize_text and text_hash equal normalizeText and textHash on real records", () => {
    const texts: string[] = [...EDGE_CASES];
    for (const domain of readdirSync(DATASETS)) {
      const folder = path.join(DATASETS, domain);
      if (!existsSync(folder) || !folder || domain.endsWith(".json") || domain.endsWith(".md")) continue;
      for (const file of readdirSync(folder).filter((f) => f.endsWith(".jsonl"))) {
        for (const rec of readJsonl(`${domain}/${file}`).slice(0, 80)) texts.push(recordText(rec));
      }
    }
    expect(texts.length).toBeGreaterThanOrEqual(2000);
    const py = runPython(
      dir,
      "out = [[dc.normalize_text(t), dc.text_hash(dc.normalize_text(t)), dc.text_hash(t)] for t in inp]",
      texts,
    ) as [string, string, string][];
    const mismatches = texts
      .map((t, i) => ({ i, ts: [normalizeText(t), textHash(normalizeText(t)), textHash(t)], py: py[i] }))
      .filter((m) => JSON.stringify(m.ts) !== JSON.stringify(m.py));
    expect(mismatches.slice(0, 3)).toEqual([]);
    console.log(`hash agreement: ${texts.length} texts, ${mismatches.length} mismatches`);
  });

  test("contamination decisions and overlaps agree on real benchmark/source pairs", () => {
    const cases = [
      {
        bench: "math/gsm8k_test.jsonl",
        texts: [
          ...readJsonl("math/gsm8k_socratic_test.jsonl").map((r) => String(r.question)),
          ...readJsonl("math/gsm8k_train.jsonl").slice(0, 1500).map((r) => String(r.question)),
        ],
      },
      {
        bench: "code/mbpp_test.jsonl",
        texts: [
          ...readJsonl("code/mbpp_train.jsonl").map((r) => `${r.text}\n${r.code}`),
          ...readJsonl("code/mbpp_test.jsonl").slice(0, 100).map((r) => String(r.code)),
        ],
      },
      {
        bench: "medicine/pubmedqa_test.jsonl",
        texts: [
          ...readJsonl("medicine/pubmedqa_labeled_train.jsonl").slice(0, 300).map((r) => recordText(r)),
          ...readJsonl("medicine/pubmedqa_test.jsonl").slice(0, 60).map((r) => (r.CONTEXTS as string[]).join(" ")),
        ],
      },
    ];
    const input = cases.map((c, i) => {
      const fp = buildFingerprints(readJsonl(c.bench));
      const file = path.join(dir, `fp${i}.json`);
      saveFingerprints(fp, file);
      return { file, texts: c.texts };
    });
    const py = runPython(
      dir,
      [
        "out = []",
        "for c in inp:",
        "    fp = dc.load_benchmark_ngrams(c['file'])",
        "    res = [list(dc.contamination_of(t, fp)) for t in c['texts']]",
        "    kept = dc.decontaminate([dc.to_chat(t, 'x') for t in c['texts'] if t.strip()], fingerprints=fp)",
        "    out.append({'res': res, 'kept': len(kept)})",
      ].join("\n"),
      input,
    ) as { res: [boolean, number, number][]; kept: number }[];
    let total = 0;
    cases.forEach((c, i) => {
      const fp = JSON.parse(readFileSync(input[i]!.file, "utf8"));
      const ts = c.texts.map((t) => contaminationOf(t, fp));
      const tsRows = ts.map((r) => [r.contaminated, r.benchmarkIndex, r.overlap]);
      const diff = tsRows.map((row, k) => ({ k, ts: row, py: py[i]!.res[k] })).filter((x) => JSON.stringify(x.ts) !== JSON.stringify(x.py));
      expect(diff.slice(0, 3)).toEqual([]);
      const flagged = ts.filter((r) => r.contaminated).length;
      // each pair has both outcomes, so agreement is not trivially "all clean"
      expect(flagged).toBeGreaterThan(0);
      expect(flagged).toBeLessThan(c.texts.length);
      expect(py[i]!.kept).toBe(c.texts.filter((t) => t.trim()).length - ts.filter((r, k) => r.contaminated && c.texts[k]!.trim()).length);
      console.log(`${c.bench}: ${c.texts.length} texts, ${flagged} flagged by both sides`);
      total += c.texts.length;
    });
    expect(total).toBeGreaterThanOrEqual(3000);
  });

  test("dump_jsonl output passes the TS chat schema, with aligned sources", () => {
    const py = runPython(
      dir,
      [
        "import os",
        "os.makedirs('sources', exist_ok=True)",
        `src = ${JSON.stringify(path.join(DATASETS, "math/gsm8k_train.jsonl"))}`,
        "os.environ['DATACHEF_SOURCES'] = os.path.dirname(src)",
        "recs = dc.standardize(dc.iter_source('gsm8k_train', limit=500), lambda r: (r['question'], r['answer']))",
        "recs = dc.dedup_exact(recs + recs[:50])",
        "out = {'written': dc.dump_jsonl(recs), 'steps': [s['step'] for s in dc.steps()]}",
      ].join("\n"),
      null,
    ) as { written: number; steps: string[] };
    expect(py.written).toBe(500);
    expect(py.steps).toEqual(["load:gsm8k_train", "standardize", "dedup_exact", "dump_jsonl"]);
    const lines = readFileSync(path.join(dir, "output", "data.jsonl"), "utf8").trim().split("\n");
    const meta = readFileSync(path.join(dir, "output", "data.meta.jsonl"), "utf8").trim().split("\n");
    expect(lines.length).toBe(500);
    expect(meta.length).toBe(500);
    for (const l of lines) {
      const rec = JSON.parse(l);
      expect(Object.keys(rec)).toEqual(["messages"]);
      expect(chatRecordError(rec)).toBeNull();
    }
    expect(new Set(meta.map((m) => JSON.parse(m).source))).toEqual(new Set(["gsm8k_train"]));
  });
});
