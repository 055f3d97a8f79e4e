import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inferContract } from "../../src/task/infer-contract.js";
import { parseTaskSpec } from "../../src/task/spec.js";
import { writeRecipeBuiltin } from "./builtin.js";
import { py, pyName, readManifest } from "./codegen.js";
import { profileFromRows } from "./testing/profile-rows.js";
import { DEFAULT_TEST_OPERATIONS, hasShared, SHARED, SHARED_TASKS, sharedFixture } from "./testing/shared-task.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const withShared = hasShared() ? describe : describe.skip;
if (!hasShared()) console.warn(`skipping shared-task codegen tests: ${SHARED} not found`);

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "coder-codegen-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Compiles (never runs) a script with python3 -m py_compile; returns stderr on failure. */
function pyCompile(name: string, code: string): string | null {
  const file = path.join(tmp, name);
  writeFileSync(file, code);
  const r = spawnSync("python3", ["-m", "py_compile", file], { encoding: "utf8", env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(tmp, "pycache") } });
  return r.status === 0 ? null : r.stderr || r.stdout || `exit ${r.status}`;
}

describe("python literals and names", () => {
  test("py() renders JSON-like values", () => {
    expect(py({ a: [1, "x\"y", null, true] })).toBe('{"a": [1, "x\\"y", None, True]}');
  });
  test("pyName() makes unique identifiers", () => {
    const taken = new Set<string>();
    expect(pyName("gsm8k-train.v2", taken)).toBe("gsm8k_train_v2");
    expect(pyName("gsm8k_train.v2", taken)).toBe("gsm8k_train_v2_2");
    expect(pyName("2wiki", taken)).toBe("s_2wiki");
  });
});

describe("recipe helper sections", () => {
  test("python unit tests of templates/helpers.py pass", () => {
    const r = spawnSync("python3", ["-m", "unittest", "-q", "test_helpers"], { cwd: path.join(HERE, "templates"), encoding: "utf8", env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" } });
    expect(r.stderr).toMatch(/OK/);
    expect(r.status).toBe(0);
  });
});

withShared("generated recipes for the shared tasks", () => {
  test.each(SHARED_TASKS)("%s: recipe.py and check.py compile and carry every planned source", (name) => {
    const fx = sharedFixture(name);
    expect(fx.plan.training_data.length).toBeGreaterThan(0);
    const out = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 3 });
    expect(pyCompile(`${name}_recipe.py`, out.recipe)).toBeNull();
    expect(pyCompile(`${name}_check.py`, out.check)).toBeNull();
    expect(out.recipe).toContain("import datachef_toolkit as dc");
    for (const e of fx.plan.training_data) {
      expect(out.mappings[e.dataset_id]?.ok).toBe(true);
      expect(out.recipe).toMatch(new RegExp(`def build_${e.dataset_id.replace(/[^A-Za-z0-9_]/g, "_")}\\(rec\\):`));
      expect(out.recipe).toContain(`dc.load_source(${JSON.stringify(e.dataset_id)}`);
    }
    for (const step of ["dc.standardize(", "dc.filter_outliers(", "dc.dedup_exact(", "dc.dedup_near(", "dc.decontaminate(", "dc.mix(", "dc.sample(", "dc.dump_jsonl("]) {
      expect(out.recipe).toContain(step);
    }
    expect(out.check).toMatch(/CHECK FAILED \[%s\]/);
    const model = readManifest(out.recipe)!;
    expect(model.taskId).toBe(name);
    expect(model.sources.map((s) => s.id)).toEqual(fx.plan.training_data.map((e) => e.dataset_id));
  });

  test("the coder is deterministic for a seed and the seed reaches the recipe", () => {
    const fx = sharedFixture("gsm8k");
    const a = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 11 });
    const b = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 11 });
    const c = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 12 });
    expect(a.recipe).toBe(b.recipe);
    expect(a.check).toBe(b.check);
    expect(a.recipe).toContain("SEED = 11");
    expect(c.recipe).toContain("SEED = 12");
  });

  test("the plan's operations decide the pipeline; unknown and unfit sources are left out with a reason", () => {
    const fx = sharedFixture("gsm8k", { sources: ["gsm8k_train", "alpaca_5k", "no_such_source"] });
    fx.plan.operations = { ...DEFAULT_TEST_OPERATIONS, dedup_near: false, filter_outliers: false, decontaminate: false };
    const out = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 1 });
    expect(out.recipe).not.toContain("dc.dedup_near(");
    expect(out.recipe).not.toContain("dc.filter_outliers(");
    expect(out.recipe).not.toContain("dc.decontaminate(");
    expect(out.recipe).toContain("def build_gsm8k_train(rec):");
    expect(out.recipe).not.toContain("def build_alpaca_5k(");
    expect(out.recipe).toMatch(/Left out:\n {2}- alpaca_5k: its fields do not map/);
    expect(out.recipe).toMatch(/- no_such_source: no profile/);
    expect(pyCompile("ops_recipe.py", out.recipe)).toBeNull();
  });

  test("short-answer contracts ignore a planned minimum answer length and require their labels", () => {
    const fx = sharedFixture("fpb");
    fx.plan.operations.min_answer_chars = 20;
    const out = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 1 });
    expect(out.recipe).toContain("MIN_ANSWER_CHARS = 1");
    expect(out.recipe).toContain('LABELS = ["positive", "negative", "neutral"]');
    expect(out.check).toContain('REQUIRED_KEYS = ["positive", "negative", "neutral"]');
  });
});

describe("generated recipes for an invented task", () => {
  test("options as a string, a letter answer and a rationale compile", () => {
    const task = parseTaskSpec(
      {
        id: "quiz",
        instruction: "Adapt a base LLM to answer quiz questions: think briefly, then give the letter of the correct option.",
        benchmark: { id: "quiz_test", path: "/nonexistent/quiz.jsonl" },
        sources: [{ id: "quiz-train", path: "/nonexistent/train.jsonl" }],
      },
      "<inline>",
    );
    const contract = inferContract(
      [
        { q: "2+2?", opts: "a ) 3 , b ) 4 , c ) 5", correct: "b", why: "Two plus two is four." },
        { q: "3+3?", opts: "a ) 6 , b ) 7 , c ) 8", correct: "a", why: "Three plus three is six." },
      ],
      task.spec,
    );
    expect(contract.answer.kind).toBe("option_letter");
    const rows = Array.from({ length: 30 }, (_, i) => ({ question: `What is ${i} + 1?`, choices: `a ) ${i + 1} , b ) ${i + 2} , c ) ${i}`, answer: "a", explanation: `Adding one to ${i} gives ${i + 1}.` }));
    const profile = profileFromRows("quiz-train", rows);
    const plan = { training_data: [{ dataset_id: "quiz-train", split: "train", sample_num: 30, reason: "x" }], rejected: [], workflow: "", operations: { ...DEFAULT_TEST_OPERATIONS } };
    const out = writeRecipeBuiltin({ task, plan, profiles: [profile], contract, seed: 0 });
    expect(out.mappings["quiz-train"]).toMatchObject({ ok: true, answerTransform: "letter", roles: { options: "choices", rationale: "explanation" } });
    expect(out.recipe).toContain("def build_quiz_train(rec):");
    expect(out.recipe).toContain("steps = tidy_rationale(");
    expect(pyCompile("quiz_recipe.py", out.recipe)).toBeNull();
    expect(pyCompile("quiz_check.py", out.check)).toBeNull();
  });
});
