import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TaskContract } from "../../src/task/contract.js";
import { inferContract } from "../../src/task/infer-contract.js";
import { loadTaskSpec, type TaskSpec } from "../../src/task/spec.js";
import { mapSource, matchLabel } from "./field-mapping.js";
import { profileFile, profileFromRows } from "./testing/profile-rows.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = path.resolve(ROOT, "../shared");
const withShared = existsSync(path.join(SHARED, "tasks")) ? describe : describe.skip;
if (!existsSync(path.join(SHARED, "tasks"))) console.warn(`skipping shared-source mapping tests: ${SHARED} not found`);

const contracts = new Map<string, TaskContract>();
function contractOf(task: string): TaskContract {
  if (!contracts.has(task)) {
    const t = loadTaskSpec(path.join(SHARED, "tasks", `${task}.json`));
    const ex = readFileSync(t.spec.benchmark.path, "utf8").split("\n").filter(Boolean).slice(0, 3).map((l) => JSON.parse(l));
    contracts.set(task, inferContract(ex, t.spec));
  }
  return contracts.get(task)!;
}
const catalog = () => JSON.parse(readFileSync(path.join(SHARED, "datasets", "CATALOG.json"), "utf8")) as { id: string; path: string }[];
function mapShared(task: string, source: string) {
  const entry = catalog().find((c) => c.id === source)!;
  return mapSource(profileFile(source, path.join(SHARED, "datasets", entry.path)), contractOf(task));
}

withShared("mapSource on the shared sources", () => {
  test("csqa: same-schema train split maps 1:1", () => {
    const m = mapShared("csqa", "commonsenseqa_train");
    expect(m.ok).toBe(true);
    expect(m.score).toBeGreaterThan(0.9);
    expect(m.roles).toEqual({ question: "question.stem", options: "question.choices", answer: "answerKey" });
    expect(m.answerTransform).toBe("letter");
  });

  test("csqa: other MCQ schemas fit, option-less ones do not", () => {
    const mmlu = mapShared("csqa", "mmlu_medical");
    expect(mmlu.ok).toBe(true);
    expect(mmlu.roles).toMatchObject({ question: "question", options: "options", answer: "answer_idx" });
    const t0 = mapShared("csqa", "t0_commonsenseqa_templated");
    expect(t0.ok).toBe(false);
    expect(t0.score).toBeLessThan(mmlu.score);
    expect(mapShared("csqa", "alpaca_5k").ok).toBe(false);
  });

  test("fpb: sentiment labels normalise; other schemas do not fit", () => {
    const m = mapShared("fpb", "fpb_lowagree");
    expect(m.ok).toBe(true);
    expect(m.answerTransform).toBe("label_normalize");
    expect(m.labelMap).toEqual({ positive: "positive", neutral: "neutral", negative: "negative" });
    for (const s of ["svamp", "commonsenseqa_train", "medquad", "alpaca_5k"]) expect(mapShared("fpb", s).ok).toBe(false);
  });

  test("gsm8k: numeric sources, equations as rationale, MATH \\boxed{} converted", () => {
    const gsm = mapShared("gsm8k", "gsm8k_train");
    expect(gsm).toMatchObject({ ok: true, answerTransform: "number_from_text", roles: { question: "question", answer: "answer" } });
    const svamp = mapShared("gsm8k", "svamp");
    expect(svamp).toMatchObject({ ok: true, answerTransform: "number_from_value", rationaleIsEquation: true });
    expect(svamp.roles).toEqual({ question: "Question", context: ["Body"], answer: "Answer", rationale: "Equation" });
    expect(mapShared("gsm8k", "asdiv")).toMatchObject({ answerTransform: "number_from_text", roles: { rationale: "Formula" } });
    expect(mapShared("gsm8k", "math_test_minus500")).toMatchObject({ ok: true, answerTransform: "boxed_to_marker" });
    expect(mapShared("gsm8k", "mathqa_test1k")).toMatchObject({ ok: true, answerTransform: "number_from_option", roles: { rationale: "rationale" } });
    for (const s of ["alpaca_5k", "code_alpaca_2k", "davinci_raw_outputs"]) expect(mapShared("gsm8k", s).ok).toBe(false);
    expect(gsm.score).toBeGreaterThan(mapShared("gsm8k", "mathqa_test1k").score);
  });

  test("math500: MATH solutions keep their box", () => {
    expect(mapShared("math500", "math_test_minus500")).toMatchObject({ ok: true, answerTransform: "keep_boxed", roles: { question: "problem", answer: "solution" } });
  });

  test("humaneval: MBPP functions split into signature + body, with tests", () => {
    const m = mapShared("humaneval", "mbpp_train");
    expect(m).toMatchObject({ ok: true, answerTransform: "code_completion", roles: { question: "text", answer: "code", tests: "test_list" } });
    expect(mapShared("humaneval", "gsm8k_train").ok).toBe(false);
  });

  test("mbpp: same schema, whole functions", () => {
    expect(mapShared("mbpp", "mbpp_train")).toMatchObject({ ok: true, score: 1, answerTransform: "code" });
    expect(mapShared("mbpp", "math_test_minus500").ok).toBe(false);
  });

  test("pubmedqa: final_decision with contexts; MCQ sources do not fit", () => {
    const m = mapShared("pubmedqa", "pubmedqa_labeled_train");
    expect(m).toMatchObject({ ok: true, answerTransform: "label_normalize", roles: { question: "QUESTION", context: ["CONTEXTS"], answer: "final_decision" } });
    for (const s of ["medmcqa_dev_single", "mmlu_medical", "medquad", "alpaca_5k"]) expect(mapShared("pubmedqa", s).ok).toBe(false);
  });

  test("tatqa: nested questions are exploded with table and paragraphs as context", () => {
    const m = mapShared("tatqa", "tatqa_dev");
    expect(m.explode).toBe("questions");
    expect(m.roles).toMatchObject({ question: "questions[].question", answer: "questions[].answer", context: ["table.table", "paragraphs"] });
    expect(m.score).toBeGreaterThan(mapShared("tatqa", "gsm8k_train").score);
  });

  test("mapping is fast enough for the planner", () => {
    const entry = catalog().find((c) => c.id === "tatqa_dev")!;
    const profile = profileFile("tatqa_dev", path.join(SHARED, "datasets", entry.path));
    const contract = contractOf("tatqa");
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) mapSource(profile, contract);
    expect((performance.now() - t0) / 20).toBeLessThan(50);
  });
});

function spec(instruction: string): TaskSpec {
  return { id: "t", instruction, benchmark: { id: "b", path: "b.jsonl" }, sources: [{ id: "s", path: "s.jsonl" }] };
}

describe("mapSource on invented sources", () => {
  const mcq = inferContract(
    [
      { question: "Which is a fruit?", options: { A: "apple", B: "car", C: "rock", D: "pen" }, answer: "A" },
      { question: "Which is blue?", options: { A: "sun", B: "sky", C: "grass", D: "snow" }, answer: "B" },
    ],
    spec("Answer with the letter of the correct option."),
  );
  const label = inferContract(
    [
      { text: "Great quarter for the firm", sentiment: "positive" },
      { text: "Profits fell sharply", sentiment: "negative" },
    ],
    spec("Classify the sentiment as positive, negative or neutral."),
  );
  const math = inferContract(
    [{ question: "Tom has 3 apples and buys 4. How many now?", answer: "3 + 4 = 7\n#### 7" }],
    spec("Solve math word problems step by step, ending with '#### <number>'."),
  );

  test("medmcqa-like options dict (opa..opd) with a 1-based 'cop'", () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: `q${i}`, question: `Clinical question number ${i} about a patient?`, opa: "x", opb: "y", opc: "z", opd: "w", options: { opa: `a${i}`, opb: `b${i}`, opc: `c${i}`, opd: `d${i}` }, cop: (i % 4) + 1 }));
    const m = mapSource(profileFromRows("medlike", rows), mcq);
    expect(m.ok).toBe(true);
    expect(m.roles).toMatchObject({ question: "question", options: "options", answer: "cop" });
    expect(m.answerTransform).toBe("letter_from_index1");
  });

  test("options as a list of strings with a 0-based 'label' index", () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ stem: `Pick the largest number from set ${i}`, choices: [`${i}`, `${i + 1}`, `${i + 2}`, `${i + 3}`], label: i % 4 }));
    const m = mapSource(profileFromRows("listmcq", rows), mcq);
    expect(m).toMatchObject({ ok: true, answerTransform: "letter_from_index", roles: { question: "stem", options: "choices", answer: "label" } });
  });

  test("label synonyms and case map onto the contract's labels; unknown values are left out", () => {
    const values = ["Pos", "NEG", "neutral", "Positive", "mixed", "unknown"];
    const rows = Array.from({ length: 60 }, (_, i) => ({ headline: `Company ${i} reports results for the quarter`, gold: values[i % values.length] }));
    const m = mapSource(profileFromRows("synonyms", rows), label);
    expect(m.ok).toBe(true);
    expect(m.roles.answer).toBe("gold");
    expect(m.labelMap).toEqual({ Pos: "positive", NEG: "negative", neutral: "neutral", Positive: "positive", mixed: "neutral" });
    expect(matchLabel("Positive.", ["positive", "negative"])).toBe("positive");
    expect(matchLabel("unknown", ["positive", "negative", "neutral"])).toBeNull();
  });

  test("a free-text source does not fit a label contract", () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ instruction: `Write a poem about topic ${i}`, output: `A long poem number ${i} about many things` }));
    expect(mapSource(profileFromRows("free", rows), label).ok).toBe(false);
  });

  test("'The answer is N' solutions and numeric fields fit a marker contract", () => {
    const cot = Array.from({ length: 20 }, (_, i) => ({ problem: `What is ${i} plus ${i}?`, response: `We add ${i} and ${i}.\nThe answer is ${2 * i}.` }));
    expect(mapSource(profileFromRows("cot", cot), math)).toMatchObject({ ok: true, answerTransform: "number_from_text", roles: { question: "problem", answer: "response" } });
    const num = Array.from({ length: 20 }, (_, i) => ({ q: `How many legs do ${i} dogs have?`, y: 4 * i, explanation: `Each dog has 4 legs, so ${i} dogs have ${4 * i} legs.` }));
    const m = mapSource(profileFromRows("num", num), math);
    expect(m).toMatchObject({ ok: true, answerTransform: "number_from_value", roles: { question: "q", answer: "y", rationale: "explanation" } });
  });

  test("nested QA pairs and the parent's instruction", () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ instruction: `Convert the number ${i} to words`, instances: [{ input: `The value is ${i * 1234}`, output: `number ${i}` }] }));
    const freeContract = inferContract([{ question: "Say hi in French", answer: "Bonjour" }], spec("Answer user requests."));
    const m = mapSource(profileFromRows("nested", rows), freeContract);
    expect(m.explode).toBe("instances");
    expect(m.roles).toMatchObject({ question: "instruction", answer: "instances[].output", context: ["instances[].input"] });
  });

  test("fenced code answers are unfenced for a raw-code benchmark", () => {
    const code = inferContract(
      [{ text: "Write a function to add two numbers.", code: "def add(a, b):\n    return a + b", test_list: ["assert add(1, 2) == 3"] }],
      spec("Write Python functions that pass the given assert tests."),
    );
    const rows = Array.from({ length: 10 }, (_, i) => ({ prompt: `Write a function f${i} returning ${i}`, completion: "```python\ndef f():\n    return " + i + "\n```" }));
    expect(mapSource(profileFromRows("fenced", rows), code)).toMatchObject({ ok: true, answerTransform: "code_unfenced", roles: { question: "prompt", answer: "completion" } });
  });

  test("options spread over sibling columns (opa..opd)", () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ question: `Which drug is used for condition ${i}?`, opa: `drug a${i}`, opb: `drug b${i}`, opc: `drug c${i}`, opd: `drug d${i}`, cop: (i % 4) + 1 }));
    const m = mapSource(profileFromRows("columns", rows), mcq);
    expect(m).toMatchObject({ ok: true, answerTransform: "letter_from_index1", roles: { question: "question", options: "opa|opb|opc|opd", answer: "cop" } });
  });

  test("a chat-format source: first user turn in, assistant reply out", () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({
      id: i,
      conversations: [
        { from: "human", value: `A shop sells ${i} pens and then ${i} more. How many pens?` },
        { from: "gpt", value: `${i} + ${i} = ${2 * i}
#### ${2 * i}` },
      ],
    }));
    const m = mapSource(profileFromRows("sharegpt", rows), math);
    expect(m).toMatchObject({ ok: true, answerTransform: "number_from_text", roles: { question: "conversations#user", answer: "conversations#assistant" } });
    const labels = Array.from({ length: 20 }, (_, i) => ({ messages: [{ role: "user", content: `Headline ${i}: shares moved` }, { role: "assistant", content: ["Positive", "Negative", "Neutral"][i % 3] }] }));
    expect(mapSource(profileFromRows("chat-labels", labels), label)).toMatchObject({ ok: true, answerTransform: "label_normalize" });
    expect(mapSource(profileFromRows("chat-labels", labels), mcq).ok).toBe(false);
  });

  test("a source without options cannot serve an option-letter benchmark", () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ question: `Question ${i}?`, answer: "A" }));
    expect(mapSource(profileFromRows("noopts", rows), mcq).ok).toBe(false);
  });
});
