/**
 * End to end: generated recipes run in the real LocalSandbox (through the interpreter's
 * executeRecipe) on the shared datasets, with benchmark fingerprints staged; the output must be
 * valid chat records in the benchmark's answer format and free of benchmark text. Also: an
 * injected fault is repaired within the attempt limit, and unseen schemas work.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chatRecordError, userText, type ChatRecord } from "../../src/data/chat.js";
import type { TaskContract } from "../../src/task/contract.js";
import { inferContract } from "../../src/task/infer-contract.js";
import { parseTaskSpec } from "../../src/task/spec.js";
import { checkAnswerFormat } from "../../src/verify/answer-format.js";
import { buildFingerprints, contaminationOf, saveFingerprints, type Fingerprints } from "../../src/verify/ngrams.js";
import type { Plan } from "../planner/plan.js";
import { executeRecipe, type ExecuteOutcome } from "../interpreter/execute.js";
import { repairRecipeBuiltin, writeRecipeBuiltin } from "./builtin.js";
import { profileFromRows } from "./testing/profile-rows.js";
import { DEFAULT_TEST_OPERATIONS, hasShared, SHARED, SHARED_TASKS, sharedFixture, type SharedFixture } from "./testing/shared-task.js";

const withShared = hasShared() ? describe : describe.skip;
if (!hasShared()) console.warn(`skipping coder end-to-end tests: ${SHARED} not found`);

const LIMITS = { wallMs: 120_000, cpuSeconds: 120 };
const MAX_ATTEMPTS = 3;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "coder-int-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fingerprintsFor(name: string, benchmark: unknown[]): { fp: Fingerprints; file: string } {
  const fp = buildFingerprints(benchmark);
  const file = path.join(tmp, `${name}.ngrams.json`);
  saveFingerprints(fp, file);
  return { fp, file };
}

async function run(name: string, recipe: string, check: string, sources: Record<string, string>, fingerprintsPath?: string): Promise<ExecuteOutcome> {
  const outDir = path.join(tmp, name);
  return executeRecipe({
    recipe,
    check,
    sources: Object.entries(sources).map(([id, jsonlPath]) => ({ id, jsonlPath })),
    ...(fingerprintsPath ? { fingerprintsPath } : {}),
    outDir,
    sandbox: "local",
    limits: LIMITS,
  });
}

function readData(out: ExecuteOutcome): { records: ChatRecord[]; sources: string[] } {
  const dir = path.dirname(out.dataPath!);
  const lines = readFileSync(out.dataPath!, "utf8").split("\n").filter(Boolean);
  const meta = readFileSync(path.join(dir, "data.meta.jsonl"), "utf8").split("\n").filter(Boolean);
  return { records: lines.map((l) => JSON.parse(l) as ChatRecord), sources: meta.map((l) => (JSON.parse(l) as { source: string }).source) };
}

function expectInFormat(records: ChatRecord[], contract: TaskContract) {
  expect(records.length).toBeGreaterThan(0);
  for (const r of records) expect(chatRecordError(r)).toBeNull();
  const bad = records.filter((r) => !checkAnswerFormat(r.messages.at(-1)!.content, contract).ok);
  // The verifier's own format rules accept the records. Its Python heuristic does not yet know
  // expression-statement bodies (`    b.sort(key=f)`, valid Python that check.py compiles), so
  // code gets a wider tolerance.
  expect(bad.length / records.length).toBeLessThanOrEqual(contract.answer.kind === "code" ? 0.1 : 0.02);
}

const sourcesOf = (fx: SharedFixture) => Object.fromEntries(fx.plan.training_data.map((e) => [e.dataset_id, fx.files[e.dataset_id]!]));

withShared("built-in recipes in the sandbox", () => {
  test.each(SHARED_TASKS)("%s: recipe and check pass; records are in the benchmark's format and uncontaminated", async (name) => {
    const fx = sharedFixture(name, { maxSources: 2, sampleNum: 250 });
    const { fp, file } = fingerprintsFor(name, fx.benchmark);
    const { recipe, check } = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 2 });
    const out = await run(name, recipe, check, sourcesOf(fx), file);
    if (!out.ok) console.error(name, out.error, out.recipeRun.stderr.slice(-2000));
    expect(out.ok).toBe(true);
    expect(out.checkRun!.stdout).toMatch(/check\.py: OK/);
    const { records, sources } = readData(out);
    expect(records.length).toBeLessThanOrEqual(fx.task.maxRecords);
    expectInFormat(records, fx.contract);
    expect(new Set(sources)).toEqual(new Set(fx.plan.training_data.map((e) => e.dataset_id).filter((id) => sources.includes(id))));
    const contaminated = records.filter((r) => contaminationOf(userText(r), fp).contaminated);
    expect(contaminated.length).toBe(0);
    if (fx.contract.systemPrompt) expect(records[0]!.messages[0]).toEqual({ role: "system", content: fx.contract.systemPrompt });
  });

  test("the contamination trap (benchmark questions with other solutions) is removed", async () => {
    const fx = sharedFixture("gsm8k", { sources: ["gsm8k_train", "gsm8k_socratic_test"], sampleNum: 400 });
    const { fp, file } = fingerprintsFor("trap", fx.benchmark);
    const { recipe, check } = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 4 });
    const out = await run("trap", recipe, check, sourcesOf(fx), file);
    expect(out.ok).toBe(true);
    const { records, sources } = readData(out);
    expect(sources.filter((s) => s === "gsm8k_socratic_test").length).toBeLessThanOrEqual(2);
    expect(records.filter((r) => contaminationOf(userText(r), fp).contaminated)).toHaveLength(0);
    const steps = readFileSync(path.join(tmp, "trap", "steps.jsonl"), "utf8");
    expect(steps).toMatch(/"step": ?"decontaminate"/);
  });

  test("an injected wrong field name is repaired within the attempt limit", async () => {
    const fx = sharedFixture("gsm8k", { sources: ["gsm8k_train", "svamp"], sampleNum: 200 });
    const written = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 9 });
    let recipe = written.recipe.split("\n").map((l) => (l.startsWith("# datachef-manifest") ? l : l.replaceAll('"Body"', '"Bodyy"'))).join("\n");
    let check = written.check;
    expect(recipe).toContain('"Bodyy"');
    const kinds: string[] = [];
    let out: ExecuteOutcome | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      out = await run(`fault${attempt}`, recipe, check, sourcesOf(fx));
      if (out.ok) break;
      kinds.push(out.error!.kind);
      const fix = repairRecipeBuiltin({ recipe, check, error: out.error!, profiles: fx.profiles, contract: fx.contract, plan: fx.plan, attempt });
      expect(fix).not.toBeNull();
      ({ recipe, check } = fix!);
    }
    expect(kinds[0]).toBe("missing_field");
    expect(out!.ok).toBe(true);
    expect(recipe).not.toContain('"Bodyy"');
    expectInFormat(readData(out!).records, fx.contract);
  });
});

describe("built-in recipes on unseen schemas", () => {
  function task(id: string, instruction: string) {
    return parseTaskSpec({ id, instruction, benchmark: { id: `${id}_bench`, path: "/nonexistent/bench.jsonl" }, sources: [{ id: "src", path: "/nonexistent/src.jsonl" }] }, "<inline>");
  }
  function plan(n: number): Plan {
    return { training_data: [{ dataset_id: "src", split: "train", sample_num: n, reason: "unseen" }], rejected: [], workflow: "", operations: { ...DEFAULT_TEST_OPERATIONS } };
  }
  async function cook(name: string, t: ReturnType<typeof task>, contract: TaskContract, rows: Record<string, unknown>[]) {
    const file = path.join(tmp, `${name}.jsonl`);
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
    const { recipe, check, mappings } = writeRecipeBuiltin({ task: t, plan: plan(rows.length), profiles: [profileFromRows("src", rows)], contract, seed: 1 });
    expect(mappings.src!.ok).toBe(true);
    const out = await run(name, recipe, check, { src: file });
    if (!out.ok) console.error(name, out.error);
    expect(out.ok).toBe(true);
    return readData(out).records;
  }

  test("list options with a 0-based index answer become 'A. text' lines and a letter", async () => {
    const t = task("quiz", "Adapt a base LLM to answer four-way multiple-choice questions with the letter of the correct option.");
    const contract = inferContract(
      [{ question: "Which is a fruit?", choices: { A: "apple", B: "car", C: "rock", D: "pen" }, answerKey: "A" }],
      t.spec,
    );
    const rows = Array.from({ length: 120 }, (_, i) => ({ uid: `u${i}`, stem: `Which number comes right after ${i * 7}?`, options: [`${i * 7 + 2}`, `${i * 7 + 1}`, `${i * 7 - 1}`, `${i * 7}`], gold_index: (i * 5) % 4 }));
    const records = await cook("quiz", t, contract, rows);
    expectInFormat(records, contract);
    const r = records.find((x) => userText(x).includes("comes right after 70?"));
    expect(r).toBeDefined();
    expect(userText(r!)).toContain("\nA. 72\nB. 71\nC. 69\nD. 70");
    expect(new Set(records.map((x) => x.messages.at(-1)!.content))).toEqual(new Set(["A", "B", "C", "D"]));
  });

  test("sibling option columns and a chat-format source", async () => {
    const t = task("cols", "Adapt a base LLM to answer medical multiple-choice questions with the letter of the correct option.");
    const contract = inferContract([{ Question: "Which organ pumps blood?", A: "liver", B: "heart", C: "lung", D: "skin", Answer: "B" }], t.spec);
    const rows = Array.from({ length: 80 }, (_, i) => ({ question: `Which dose number ${i} is right?`, opa: `${i} mg`, opb: `${i + 1} mg`, opc: `${i + 2} mg`, opd: `${i + 3} mg`, cop: (i % 4) + 1 }));
    const records = await cook("cols", t, contract, rows);
    expectInFormat(records, contract);
    const first = records.find((x) => userText(x).startsWith("Which dose number 5 is right?"));
    expect(first).toBeDefined();
    expect(userText(first!)).toBe("Which dose number 5 is right?\nA. 5 mg\nB. 6 mg\nC. 7 mg\nD. 8 mg");

    const m = task("chatmath", "Adapt a base LLM to solve word problems step by step, ending with '#### <number>'.");
    const mc = inferContract([{ question: "Tom has 3 apples and buys 4. How many?", answer: "3 + 4 = 7\n#### 7" }], m.spec);
    const conv = Array.from({ length: 60 }, (_, i) => ({ conversations: [{ from: "human", value: `A box holds ${i + 2} toys. How many toys are in ${i + 3} boxes?` }, { from: "gpt", value: `${i + 2} * ${i + 3} = ${(i + 2) * (i + 3)}\nThe answer is ${(i + 2) * (i + 3)}.` }] }));
    const chatRecords = await cook("chatmath", m, mc, conv);
    expectInFormat(chatRecords, mc);
    expect(chatRecords[0]!.messages.at(-1)!.content).toMatch(/^\d+ \* \d+ = \d+\n#### \d+$/);
  });

  test("label synonyms normalise and values outside the set are dropped", async () => {
    const t = task("senti", "Adapt a base LLM to classify the sentiment of a headline as positive, negative or neutral.");
    const contract = inferContract([{ headline: "Shares soar", label: "positive" }, { headline: "Profit falls", label: "negative" }], t.spec);
    const values = ["Pos", "NEG", "Neutral", "irrelevant"];
    const rows = Array.from({ length: 200 }, (_, i) => ({ title: `Company ${i} reports quarter number ${i % 17} with results ${i}`, gold: values[i % 4] }));
    const records = await cook("senti", t, contract, rows);
    expectInFormat(records, contract);
    expect(new Set(records.map((x) => x.messages.at(-1)!.content))).toEqual(new Set(["positive", "negative", "neutral"]));
    expect(records.length).toBe(150);
  });
});
