import type { TaskContract } from "../task/contract.js";
import { gradeWithRules, prepareRuleModels, RuleJudge, type RuleModels } from "./judge.js";
import type { JudgeContext } from "./types.js";

const base = { hasOptions: false, hasContext: false, reasoning: false, numericAnswer: false, systemPrompt: "", inputChars: { p50: 150, p95: 300 } };

// ---- GSM8K-like -----------------------------------------------------------------------------
const gsmContract: TaskContract = {
  ...base,
  answer: { kind: "marker", marker: "####" },
  reasoning: true,
  numericAnswer: true,
  inputFields: ["question"],
  answerField: "answer",
  describe: "step-by-step solution ending with '#### <number>'",
};
const gsmBenchmark = [
  "Janet's ducks lay 16 eggs per day. She eats three for breakfast and bakes muffins with four. How much does she make selling the rest at $2 each?",
  "A robe takes 2 bolts of blue fiber and half that much white fiber. How many bolts in total does it take?",
  "Josh buys a house for $80,000 and puts in $50,000 in repairs. This increased the value by 150%. How much profit did he make?",
  "James runs 3 sprints 3 times a week. He runs 60 meters each sprint. How many total meters does he run a week?",
  "Every day, Wendi feeds each of her chickens three cups of mixed chicken feed. She has 20 chickens. How many cups does she need?",
  "Kylar went to the store to buy glasses. One glass costs $5, but every second glass costs only 60% of the price. How much does he pay for 16 glasses?",
  "Toulouse has twice as many sheep as Charleston. Charleston has 4 times as many sheep as Seattle. Seattle has 20 sheep. How many sheep in all?",
  "Carla is downloading a 200 GB file at 2 GB per minute, but a restart costs 20 minutes. How long does the download take?",
  "John adopts a dog from a shelter. The dog costs $50 and its food costs $20 per week. How much does he spend in 4 weeks?",
  "Eliza's rate per hour for the first 40 hours she works each week is $10. She gets overtime pay of 1.2 times her regular rate. How much does she earn for 45 hours?",
].map((question) => ({ question, answer: "..." }));

const natalia = "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?";
const nataliaAnswer = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72";
const wengAnswer = "Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.\nWorking 50 minutes, she earned 0.2 x 50 = $<<0.2*50=10>>10.\n#### 10";

let gsm: RuleModels;
beforeAll(() => {
  gsm = prepareRuleModels(gsmContract, gsmBenchmark);
});
const grade = (user: string, assistant: string, models: RuleModels = gsm) => gradeWithRules({ user, assistant }, models);

describe("grade A: invalid", () => {
  it.each([
    ["an empty answer", natalia, "  ", /empty answer/],
    ["a refusal", natalia, "I'm sorry, but I cannot help with that.\n#### 0", /refusal/],
    ["an answer echoing the question", natalia, natalia, /repeats the question|copies the question/],
    ["a looping answer", natalia, "Natalia sold clips clips clips clips clips clips clips clips.\n#### 72", /loops/],
    ["invented turns", natalia, "Natalia sold 72.\nInput: another problem\nOutput: 5\n#### 72", /invented turns/],
    ["a cut-off answer", natalia, "Natalia sold 48/2 = 24 clips in May, and then in April and May together she sold the", /mid-sentence/],
    ["a question too short", "Clips?", nataliaAnswer, /too short/],
    ["a placeholder question", "None", nataliaAnswer, /too short|placeholder/],
    ["an unfilled template", "Solve this problem step by step: {question}", nataliaAnswer, /template slot/],
  ])("%s", (_what, user, assistant, reason) => {
    const v = grade(user, assistant);
    expect(v.grade).toBe("invalid");
    expect(v.reason).toMatch(reason);
  });
});

describe("grade B: format_error", () => {
  it("a GSM8K answer without its '#### <number>' line", () => {
    const v = grade(natalia, "Natalia sold 48/2 = 24 clips in May and 72 in total.");
    expect(v).toMatchObject({ grade: "format_error" });
    expect(v.reason).toMatch(/no final '####/);
    expect(v.reason).toMatch(/expected step-by-step/);
  });
});

describe("grade C: incorrect", () => {
  it("a wrong calculator annotation", () => {
    const v = grade(natalia, "Natalia sold 48/2 = <<48/2=26>>26 clips in May.\nNatalia sold 48+26 = <<48+26=74>>74 clips.\n#### 74");
    expect(v.grade).toBe("incorrect");
    expect(v.reason).toMatch(/arithmetic error: 48\/2 = 26, but it is 24/);
  });
  it("a final answer the solution never derived", () => {
    const v = grade(natalia, "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether.\n#### 96");
    expect(v.grade).toBe("incorrect");
    expect(v.reason).toMatch(/final answer 96 appears nowhere/);
  });
});

describe("grade D: task_mismatch", () => {
  it("an answer that belongs to another question", () => {
    const v = grade(natalia, wengAnswer);
    expect(v.grade).toBe("task_mismatch");
    expect(v.reason).toMatch(/belong to another question/);
  });
  it("a bare final answer where reasoning is expected", () => {
    const v = grade(natalia, "#### 72");
    expect(v.grade).toBe("task_mismatch");
    expect(v.reason).toMatch(/no reasoning/);
  });
  it("an off-topic question in the right format", () => {
    const v = grade(
      "Write a haiku about the ocean at dawn, with waves, gulls and the smell of salt in the morning breeze, for a poetry contest.",
      "Waves fold into light,\ngulls stitch the salt-heavy breeze,\nthe tide keeps its time.\n#### 3",
    );
    expect(v.grade).toBe("task_mismatch");
    expect(v.reason).toMatch(/off-topic/);
  });
  it("a question far longer than the benchmark's", () => {
    const long = `${natalia} ${Array.from({ length: 150 }, (_, i) => `Box ${i} held ${i * 3} clips.`).join(" ")}`;
    const v = grade(long, nataliaAnswer);
    expect(v.grade).toBe("task_mismatch");
    expect(v.reason).toMatch(/much longer/);
  });
});

describe("grade E: pass", () => {
  it("a correct worked solution to its own question", () => {
    const v = grade(natalia, nataliaAnswer);
    expect(v.grade).toBe("pass");
    expect(v.notes).toEqual(expect.arrayContaining([expect.stringMatching(/calculation\(s\) checked/)]));
  });
});

// ---- MATH-like -------------------------------------------------------------------------------
describe("boxed answers", () => {
  const contract: TaskContract = { ...base, answer: { kind: "boxed" }, reasoning: true, inputFields: ["problem"], describe: "final answer in \\boxed{}" };
  const models = prepareRuleModels(contract, [
    { problem: "How many vertical asymptotes does the graph of $y=\\frac{2}{x^2+x-6}$ have?" },
    { problem: "What is the positive difference between $120\\%$ of 30 and $130\\%$ of 20?" },
    { problem: "Find the distance between the foci of the ellipse \\[x^2 + 4y^2 = 400.\\]" },
    { problem: "If $x^2+y^2=1$, what is the largest possible value of $|x|+|y|$?" },
  ]);
  const problem = "Find the sum of all values of $x$ such that $2^{x^2-3x-2} = 4^{x - 4}$.";
  it("passes a solution with its box and says the answer was not re-derived", () => {
    const v = gradeWithRules(
      { user: problem, assistant: "Writing $4^{x-4} = 2^{2x-8}$, we need $x^2-3x-2 = 2x-8$, so $x^2-5x+6=0$, whose roots sum to $\\boxed{5}$." },
      models,
    );
    expect(v.grade).toBe("pass");
    expect(v.notes).toEqual(expect.arrayContaining([expect.stringMatching(/not re-derived/)]));
  });
  it("rejects a solution without a box", () => {
    expect(gradeWithRules({ user: problem, assistant: "We need $x^2-5x+6=0$, so the roots sum to 5." }, models).grade).toBe("format_error");
  });
});

// ---- multiple choice -------------------------------------------------------------------------
describe("option letters", () => {
  const contract: TaskContract = {
    ...base,
    answer: { kind: "option_letter", letters: ["A", "B", "C", "D", "E"] },
    hasOptions: true,
    inputFields: ["question.stem", "question.choices"],
    answerField: "answerKey",
    describe: "one option letter A-E",
  };
  const stems = [
    "A revolving door is convenient for two direction travel, but it also serves as a security measure at a what?",
    "What do people aim to do at work?",
    "Where would you find magazines along side many other printed works?",
    "Where are you likely to find a hamburger?",
    "James was looking for a good place to buy farmland. Where might he look?",
  ];
  const models = prepareRuleModels(
    contract,
    stems.map((stem) => ({ answerKey: "A", question: { stem, choices: ["bank", "library", "store", "mall", "town"].map((text, i) => ({ label: "ABCDE"[i], text })) } })),
  );
  const user = "Where would you put a plate after washing it?\nA. cupboard\nB. table\nC. restaurant\nD. dishwasher\nE. flea market";
  const g = (u: string, a: string) => gradeWithRules({ user: u, assistant: a }, models);

  it("passes a letter whose text is its option", () => {
    expect(g(user, "A. cupboard").grade).toBe("pass");
  });
  it("notes that a bare letter cannot be checked", () => {
    const v = g(user, "A");
    expect(v.grade).toBe("pass");
    expect(v.notes).toEqual(expect.arrayContaining([expect.stringMatching(/bare option letter/)]));
  });
  it("rejects a letter outside the contract as a format error", () => {
    expect(g(user, "F").grade).toBe("format_error");
  });
  it("marks a letter not listed in this question incorrect", () => {
    const three = "Where would you put a plate after washing it?\nA. cupboard\nB. table\nC. restaurant";
    expect(g(three, "D").grade).toBe("incorrect");
  });
  it("marks a letter carrying another option's text incorrect", () => {
    const v = g(user, "A. dishwasher");
    expect(v.grade).toBe("incorrect");
    expect(v.reason).toMatch(/option D/);
  });
  it("marks option text from another question as a mismatch", () => {
    const v = g(user, "C. department store");
    expect(v.grade).toBe("task_mismatch");
    expect(v.reason).toMatch(/not option C/);
  });
  it("marks a question without options as a mismatch", () => {
    const v = g("Where would you put a plate after washing it?", "A");
    expect(v.grade).toBe("task_mismatch");
    expect(v.reason).toMatch(/list options/);
  });
});

// ---- labels ----------------------------------------------------------------------------------
describe("labels", () => {
  const contract: TaskContract = {
    ...base,
    answer: { kind: "label", labels: ["positive", "negative", "neutral"] },
    inputFields: ["sentence"],
    answerField: "sentiment",
    describe: "one label",
  };
  const up = ["rose", "increased", "grew", "improved", "climbed"];
  const down = ["fell", "decreased", "dropped", "declined", "slumped"];
  const bench = Array.from({ length: 240 }, (_, i) =>
    i % 2 === 0
      ? { sentence: `Company${i % 13} net sales ${up[i % 5]} by ${i % 20} percent in the period`, sentiment: "positive" }
      : { sentence: `Company${i % 13} operating profit ${down[i % 5]} by ${i % 20} percent in the period`, sentiment: "negative" },
  );
  const models = prepareRuleModels(contract, bench);
  const g = (u: string, a: string) => gradeWithRules({ user: u, assistant: a }, models);

  it("passes a plausible label", () => {
    expect(g("Company4 net sales grew by 9 percent in the period", "positive").grade).toBe("pass");
  });
  it("rejects a label outside the set", () => {
    expect(g("Company4 net sales grew by 9 percent in the period", "bullish").grade).toBe("format_error");
  });
  it("marks a label the calibrated reference confidently contradicts incorrect", () => {
    const v = g("Company4 net sales grew by 9 percent in the period", "negative");
    expect(v.grade).toBe("incorrect");
    expect(v.reason).toMatch(/reference classifier \('positive'/);
  });
});

describe("context", () => {
  const contract: TaskContract = {
    ...base,
    answer: { kind: "label", labels: ["yes", "no", "maybe"] },
    reasoning: true,
    hasContext: true,
    inputFields: ["QUESTION", "CONTEXTS"],
    answerField: "final_decision",
    describe: "conclusion then yes/no/maybe",
    inputChars: { p50: 1400, p95: 2300 },
  };
  const models = prepareRuleModels(contract, [
    { QUESTION: "Do mitochondria play a role in remodelling lace plant leaves?", CONTEXTS: ["Programmed cell death in lace plant leaves was examined."], final_decision: "yes" },
    { QUESTION: "Is the cholesterol level associated with stroke risk?", CONTEXTS: ["A cohort of adults was followed for ten years."], final_decision: "no" },
  ]);
  it("flags a question whose context is missing", () => {
    const v = gradeWithRules({ user: "Does aspirin lower stroke risk?", assistant: "The cohort showed a lower stroke risk with aspirin use.\nAnswer: yes" }, models);
    expect(v.grade).toBe("task_mismatch");
    expect(v.reason).toMatch(/carry context/);
  });
  it("says label correctness is not checkable without a calibrated reference", () => {
    const user = `Context:\n${"Adults taking aspirin daily were followed for ten years and strokes were counted in each group. ".repeat(5)}\nQuestion: Does aspirin lower stroke risk?`;
    const v = gradeWithRules({ user, assistant: "Adults taking aspirin daily had fewer strokes over ten years than the other group.\nAnswer: yes" }, models);
    expect(v.grade).toBe("pass");
    expect(v.notes).toEqual(expect.arrayContaining([expect.stringMatching(/label correctness not checkable/)]));
  });
});

// ---- code ------------------------------------------------------------------------------------
describe("code", () => {
  const contract: TaskContract = { ...base, answer: { kind: "code", language: "python" }, inputFields: ["text", "test_list"], describe: "Python code" };
  const models = prepareRuleModels(contract, [
    { text: "Write a python function to remove first and last occurrence of a given character from the string.", test_list: ["assert remove_Occ(\"hello\",\"l\") == \"heo\""] },
    { text: "Write a function to sort a given matrix in ascending order according to the sum of its rows.", test_list: ["assert sort_matrix([[1, 2, 3]])==[[1, 2, 3]]"] },
    { text: "Write a function to count the most common words in a dictionary.", test_list: ["assert count_common(['red','green'])==[('red', 1)]"] },
  ]);
  const user = "Write a function to find the shared elements from the given two lists.\nassert similar_elements((3, 4, 5, 6),(5, 7, 4, 10)) == (4, 5)";
  const g = (a: string) => gradeWithRules({ user, assistant: a }, models);
  it("passes Python and notes that tests were not run", () => {
    const v = g("```python\ndef similar_elements(test_tup1, test_tup2):\n    res = tuple(set(test_tup1) & set(test_tup2))\n    return res\n```");
    expect(v.grade).toBe("pass");
    expect(v.notes).toEqual(expect.arrayContaining([expect.stringMatching(/without running tests/)]));
  });
  it("rejects another language", () => {
    expect(g("```\nfunction similar_elements(a, b) {\n  return a.filter(x => b.includes(x));\n}\n```").grade).toBe("format_error");
  });
  it("rejects a cut-off block as invalid", () => {
    expect(g("```python\ndef similar_elements(a, b):\n    return tuple(set(a) & set(b)").grade).toBe("invalid");
  });
});

// ---- free text ---------------------------------------------------------------------------------
describe("free text", () => {
  it("passes a grounded span and says correctness is not checkable", () => {
    const contract: TaskContract = { ...base, answer: { kind: "free_text" }, inputFields: ["question"], describe: "a span" };
    const models = prepareRuleModels(contract, [{ question: "What was the revenue in 2019 according to the table?" }, { question: "What are the contract types?" }]);
    const v = gradeWithRules({ user: "Table:\nRevenue | 2019 | $1,496.5\n\nQuestion: What was the revenue in 2019?", assistant: "$1,496.5" }, models);
    expect(v.grade).toBe("pass");
    expect(v.notes).toEqual(expect.arrayContaining([expect.stringMatching(/free-text/)]));
  });
});

// ---- the Judge interface ---------------------------------------------------------------------
describe("RuleJudge", () => {
  it("grades through the Judge interface and builds its models once per context", async () => {
    const judge = new RuleJudge();
    const ctx: JudgeContext = { contract: gsmContract, benchmarkRecords: gsmBenchmark };
    const sample = { index: 0, line: 1, messages: [], user: natalia, assistant: nataliaAnswer };
    expect(await judge.grade(sample, ctx)).toMatchObject({ grade: "pass" });
    expect(judge.models(ctx)).toBe(judge.models({ ...ctx }));
    expect(judge.models(ctx)).not.toBe(judge.models({ ...ctx, contract: { ...gsmContract } }));
    expect(judge.name).toBe("builtin-rules");
  });
});
