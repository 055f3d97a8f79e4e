import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { inferContract, taskSentence, textLists, textMarker } from "./infer-contract.js";
import { loadTaskSpec, type TaskSpec } from "./spec.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = path.resolve(ROOT, "../shared");
const withShared = existsSync(path.join(SHARED, "tasks")) ? describe : describe.skip;
if (!existsSync(path.join(SHARED, "tasks"))) console.warn(`skipping shared-task contract tests: ${SHARED} not found`);

function spec(instruction: string, bench: { description?: string; metric?: string; name?: string } = {}): TaskSpec {
  return { id: "t", instruction, benchmark: { id: "b", path: "b.jsonl", ...bench }, sources: [{ id: "s", path: "s.jsonl" }] };
}

function sharedTask(name: string, k = 3) {
  const task = loadTaskSpec(path.join(SHARED, "tasks", `${name}.json`));
  const lines = readFileSync(task.spec.benchmark.path, "utf8").split("\n").filter(Boolean);
  const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { task, examples: records.slice(0, k), rest: records.slice(k) };
}

withShared("inferContract on the shared tasks (3 examples)", () => {
  test("every shared task gets a contract with a system prompt and inputs", () => {
    const names = readdirSync(path.join(SHARED, "tasks")).filter((f) => f.endsWith(".json"));
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const f of names) {
      const { task, examples } = sharedTask(f.replace(/\.json$/, ""));
      const c = inferContract(examples, task.spec);
      expect(c.inputFields.length).toBeGreaterThan(0);
      expect(c.systemPrompt.length).toBeGreaterThan(30);
      expect(c.describe.length).toBeGreaterThan(5);
      expect(c.inputChars.p50).toBeGreaterThan(0);
    }
  });

  test("gsm8k: '#### <number>' marker with reasoning", () => {
    const { task, examples } = sharedTask("gsm8k");
    const c = inferContract(examples, task.spec);
    expect(c.answer).toEqual({ kind: "marker", marker: "####" });
    expect(c.reasoning).toBe(true);
    expect(c.numericAnswer).toBe(true);
    expect(c.inputFields).toEqual(["question"]);
    expect(c.answerField).toBe("answer");
    expect(c.systemPrompt).toContain("'#### <number>'");
    expect(c.systemPrompt).toMatch(/^Task: Solve grade-school math word problems\./);
  });

  test("math500: \\boxed{} with the solution as rationale", () => {
    const { task, examples } = sharedTask("math500");
    const c = inferContract(examples, task.spec);
    expect(c.answer.kind).toBe("boxed");
    expect(c.reasoning).toBe(true);
    expect(c.answerField).toBe("answer");
    expect(c.fields?.rationale).toBe("solution");
    expect(c.inputFields).toEqual(["problem"]);
  });

  test("csqa: letters A-E from nested choices", () => {
    const { task, examples } = sharedTask("csqa");
    const c = inferContract(examples, task.spec);
    expect(c.answer).toEqual({ kind: "option_letter", letters: ["A", "B", "C", "D", "E"] });
    expect(c.hasOptions).toBe(true);
    expect(c.reasoning).toBe(false);
    expect(c.answerField).toBe("answerKey");
    expect(c.fields).toMatchObject({ question: "question.stem", options: "question.choices" });
  });

  test("fpb: the label set comes from the text even when examples show fewer labels", () => {
    const { task, examples } = sharedTask("fpb");
    const c = inferContract(examples, task.spec);
    expect(c.answer).toEqual({ kind: "label", labels: ["positive", "negative", "neutral"] });
    expect(c.answerField).toBe("sentiment");
    expect(c.inputFields).toEqual(["sentence"]);
    expect(c.systemPrompt).toContain("exactly one word");
  });

  test("pubmedqa: yes/no/maybe with embedded contexts", () => {
    const { task, examples } = sharedTask("pubmedqa");
    const c = inferContract(examples, task.spec);
    expect(c.answer).toEqual({ kind: "label", labels: ["yes", "no", "maybe"] });
    expect(c.answerField).toBe("final_decision");
    expect(c.hasContext).toBe(true);
    expect(c.inputFields).toEqual(["QUESTION", "CONTEXTS"]);
    expect(c.inputChars.p50).toBeGreaterThan(500);
  });

  test("humaneval: Python function completion, hidden tests stay out of the input", () => {
    const { task, examples, rest } = sharedTask("humaneval");
    const c = inferContract(examples, task.spec);
    expect(c.answer).toEqual({ kind: "code", language: "python", style: "completion", fenced: false });
    expect(c.inputFields).toEqual(["prompt"]);
    expect(c.answerField).toBe("canonical_solution");
    expect(inferContract(examples, task.spec, { moreRecords: rest }).answer).toMatchObject({ kind: "code", style: "completion" });
  });

  test("mbpp: whole Python functions, the given asserts are input", () => {
    const { task, examples } = sharedTask("mbpp");
    const c = inferContract(examples, task.spec);
    expect(c.answer).toMatchObject({ kind: "code", language: "python", style: "function" });
    expect(c.inputFields).toEqual(["text", "test_list"]);
    expect(c.fields?.tests).toBe("test_list");
    expect(c.hasContext).toBe(false);
  });

  test("tatqa: free text over table + paragraphs, one item per nested question", () => {
    const { task, examples } = sharedTask("tatqa");
    const c = inferContract(examples, task.spec);
    expect(c.answer.kind).toBe("free_text");
    expect(c.hasContext).toBe(true);
    expect(c.hasOptions).toBe(false);
    expect(c.answerField).toBe("questions[].answer");
    expect(c.fields).toMatchObject({ explode: "questions", question: "questions[].question", context: ["table.table", "paragraphs"] });
  });
});

describe("inferContract on invented benchmark schemas", () => {
  test("nested options list with a 'gold' letter", () => {
    const ex = [
      { item: { prompt: "Which is a fruit?", answers: [{ label: "A", text: "apple" }, { label: "B", text: "car" }, { label: "C", text: "rock" }, { label: "D", text: "pen" }] }, gold: "A" },
      { item: { prompt: "Which is blue?", answers: [{ label: "A", text: "sun" }, { label: "B", text: "sky" }, { label: "C", text: "grass" }, { label: "D", text: "snow" }] }, gold: "B" },
    ];
    const c = inferContract(ex, spec("Answer general knowledge quizzes."));
    expect(c.answer).toEqual({ kind: "option_letter", letters: ["A", "B", "C", "D"] });
    expect(c.answerField).toBe("gold");
    expect(c.fields).toMatchObject({ question: "item.prompt", options: "item.answers" });
  });

  test("options as a dict and the answer as 'target'", () => {
    const ex = [
      { query: "What do plants need to grow?", options: { A: "light", B: "plastic", C: "noise" }, target: "A" },
      { query: "Where do fish live?", options: { A: "trees", B: "water", C: "sand" }, target: "B" },
    ];
    const c = inferContract(ex, spec("Pick the right option."));
    expect(c.answer).toEqual({ kind: "option_letter", letters: ["A", "B", "C"] });
    expect(c.answerField).toBe("target");
    expect(c.fields?.options).toBe("options");
  });

  test("options inside an 'a ) x , b ) y' string and a lower-case letter", () => {
    const ex = [
      { problem: "a train covers 60 km in 1 hour . speed ?", options: "a ) 50 , b ) 60 , c ) 70 , d ) 80 , e ) 90", correct: "b" },
      { problem: "what is 2 + 2 ?", options: "a ) 3 , b ) 5 , c ) 4 , d ) 6 , e ) 1", correct: "c" },
    ];
    const c = inferContract(ex, spec("Solve multiple-choice math problems."));
    expect(c.answer).toEqual({ kind: "option_letter", letters: ["A", "B", "C", "D", "E"] });
    expect(c.answerField).toBe("correct");
  });

  test("options in sibling columns (a CSV export)", () => {
    const ex = [
      { Question: "Capital of France?", A: "Rome", B: "Paris", C: "Oslo", D: "Bern", Answer: "B" },
      { Question: "2 + 3?", A: "4", B: "6", C: "5", D: "7", Answer: "C" },
    ];
    const c = inferContract(ex, spec("Answer the multiple-choice question."));
    expect(c.answer).toEqual({ kind: "option_letter", letters: ["A", "B", "C", "D"] });
    expect(c.fields?.options).toBe("A|B|C|D");
    expect(c.inputFields).toEqual(["Question", "A", "B", "C", "D"]);
    expect(c.answerField).toBe("Answer");
  });

  test("an option index answer", () => {
    const ex = [
      { question: "2+2?", choices: ["3", "4", "5", "6"], label: 1 },
      { question: "3+3?", choices: ["6", "7", "8", "9"], label: 0 },
    ];
    const c = inferContract(ex, spec("Answer arithmetic multiple-choice questions with the letter of the correct option."));
    expect(c.answer).toEqual({ kind: "option_letter", letters: ["A", "B", "C", "D"] });
  });

  test("a 'y' label field with yes/no named in the instruction", () => {
    const ex = [
      { claim: "Water boils at 100 C at sea level.", y: "yes" },
      { claim: "The moon is made of cheese.", y: "no" },
      { claim: "Paris is in France.", y: "yes" },
    ];
    const c = inferContract(ex, spec("Decide whether the claim is true. Reply with yes or no."));
    expect(c.answer).toEqual({ kind: "label", labels: ["yes", "no"] });
    expect(c.answerField).toBe("y");
    expect(c.inputFields).toEqual(["claim"]);
  });

  test("label casing is kept and moreRecords complete the set", () => {
    const ex = [
      { text: "I loved it", label: "Positive" },
      { text: "Terrible service", label: "Negative" },
    ];
    const more = [{ text: "It was fine", label: "Neutral" }, ...Array.from({ length: 10 }, (_, i) => ({ text: `ok ${i}`, label: i % 2 ? "Positive" : "Negative" }))];
    expect(inferContract(ex, spec("Classify review sentiment.")).answer).toEqual({ kind: "label", labels: ["Positive", "Negative"] });
    const full = inferContract(ex, spec("Classify review sentiment."), { moreRecords: more });
    expect(full.answer).toEqual({ kind: "label", labels: ["Positive", "Negative", "Neutral"] });
  });

  test("a family member the text names joins the label set", () => {
    const ex = [
      { question: "Does aspirin thin blood?", final: "yes" },
      { question: "Is the sky green?", final: "no" },
    ];
    const c = inferContract(ex, spec("Answer research questions; when the evidence is unclear say maybe."));
    expect(c.answer).toEqual({ kind: "label", labels: ["yes", "no", "maybe"] });
  });

  test("'The answer is 42' answers give a marker", () => {
    const ex = [
      { input: "Tom has 3 apples and buys 4. How many?", output: "3 + 4 = 7.\nThe answer is 7." },
      { input: "Half of 84?", output: "84 / 2 = 42.\nThe answer is 42." },
    ];
    const c = inferContract(ex, spec("Solve word problems."));
    expect(c.answer).toEqual({ kind: "marker", marker: "The answer is" });
    expect(c.reasoning).toBe(true);
    expect(c.inputFields).toEqual(["input"]);
  });

  test("a bare numeric target gives a number", () => {
    const ex = [
      { problem: "What is 6 times 7?", target: 42 },
      { problem: "What is 10 minus 3?", target: 7 },
    ];
    const c = inferContract(ex, spec("Compute the result."));
    expect(c.answer).toEqual({ kind: "number" });
    expect(c.numericAnswer).toBe(true);
    expect(c.reasoning).toBe(false);
  });

  test("\\boxed{} solutions without any mention in the text", () => {
    const ex = [{ question: "Find x if 2x = 6.", solution: "Divide by 2: $x = \\boxed{3}$." }, { question: "1+1?", solution: "It is $\\boxed{2}$." }];
    const c = inferContract(ex, spec("Solve algebra problems."));
    expect(c.answer.kind).toBe("boxed");
    expect(c.numericAnswer).toBe(true);
  });

  test("fenced JavaScript answers", () => {
    const ex = [
      { task: "Write a function that adds two numbers.", reference: "```js\nfunction add(a, b) {\n  return a + b;\n}\n```" },
      { task: "Write a function that negates a number.", reference: "```js\nfunction neg(a) {\n  return -a;\n}\n```" },
    ];
    const c = inferContract(ex, spec("Write JavaScript functions that pass unit tests."));
    expect(c.answer).toEqual({ kind: "code", language: "javascript", style: "function", fenced: true });
  });

  test("a passage + question + span answer is free text with context", () => {
    const passage = "The Amazon rainforest covers much of the Amazon basin of South America. ".repeat(4);
    const ex = [
      { passage, query: "Which basin does the rainforest cover?", answer: "the Amazon basin" },
      { passage, query: "On which continent is it?", answer: "South America" },
    ];
    const c = inferContract(ex, spec("Answer questions about a passage."));
    expect(c.answer.kind).toBe("free_text");
    expect(c.hasContext).toBe(true);
    expect(c.inputFields).toEqual(["passage", "query"]);
  });

  test("a table with a nested list of questions is exploded", () => {
    const ex = [
      {
        table: [["year", "revenue"], ["2019", "10"], ["2018", "8"]],
        qa: [
          { question: "What was the revenue in 2019?", answer: "10" },
          { question: "What was the change?", answer: "2" },
        ],
      },
    ];
    const c = inferContract(ex, spec("Answer questions about financial tables."));
    expect(c.fields?.explode).toBe("qa");
    expect(c.fields?.question).toBe("qa[].question");
    expect(c.fields?.context).toEqual(["table"]);
    expect(c.hasContext).toBe(true);
  });
});

describe("reading the task text", () => {
  test("word lists in text order", () => {
    expect(textLists("one word: positive, negative or neutral")).toContainEqual(["positive", "negative", "neutral"]);
    expect(textLists("accuracy of yes/no/maybe")).toContainEqual(["yes", "no", "maybe"]);
  });
  test("quoted marker templates", () => {
    expect(textMarker("end with a final line of the form '#### <number>'.")).toBe("####");
    expect(textMarker('finish with "Answer: <number>"')).toBe("Answer:");
    expect(textMarker("put it in \\boxed{}")).toBeNull();
  });
  test("the task sentence drops the 'adapt a model' preamble", () => {
    expect(taskSentence(spec("Adapt a base LLM to classify news. Extra."))).toBe("Classify news.");
    expect(taskSentence(spec("Summarise legal text"))).toBe("Summarise legal text.");
  });
});
