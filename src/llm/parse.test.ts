import { benchmarkAccess, codeProblems, extractCodeBlocks, firstJson, parseChefCompletion, parseCoderReply, parseJudgeReply, stripReasoning, unknownSourceRefs } from "./parse.js";

const RECIPE = 'import datachef_toolkit as dc\nrecs = dc.standardize(dc.iter_source("a"), lambda r: (r["q"], r["a"]))\ndc.dump_jsonl(recs)';
const CHECK = "import json, sys\nrows = [json.loads(l) for l in open(sys.argv[1])]\nassert rows, 'empty'";

const PLAN = [
  "## Training Data",
  "```json",
  '[{"dataset_id": "a", "split": "train", "sample_num": 100, "reason": "on task"}]',
  "```",
  "",
  "## Data Processing Workflow",
  "Read a, convert to chat, dedup, decontaminate.",
].join("\n");

describe("extractCodeBlocks", () => {
  it("reads names from info strings, preceding labels and first-line comments", () => {
    const text = ["```python recipe.py", "x = 1", "```", "**check.py**:", "```python", "y = 2", "```", "```", "# file: helper.py", "z = 3", "```"].join("\n");
    const blocks = extractCodeBlocks(text);
    expect(blocks.map((b) => b.name)).toEqual(["recipe.py", "check.py", "helper.py"]);
    expect(blocks[1]!.body).toBe("y = 2");
  });

  it("keeps an unclosed last block", () => {
    const blocks = extractCodeBlocks("### recipe.py\n```python\nprint(1)\n");
    expect(blocks).toHaveLength(1);
    expect(blocks[0]!.body).toBe("print(1)");
    expect(blocks[0]!.name).toBe("recipe.py");
  });
});

describe("parseCoderReply", () => {
  it("takes two labelled blocks and the FIX line", () => {
    const r = parseCoderReply(`FIX: renamed the field\n\n### recipe.py\n\`\`\`python\n${RECIPE}\n\`\`\`\n\n### check.py\n\`\`\`python\n${CHECK}\n\`\`\``);
    if ("error" in r) throw new Error(r.error);
    expect(r.recipe).toBe(RECIPE + "\n");
    expect(r.check).toBe(CHECK + "\n");
    expect(r.fix).toBe("renamed the field");
    expect(r.warnings).toEqual([]);
  });

  it("accepts two unlabelled python blocks in order, with a warning", () => {
    const r = parseCoderReply(`Here you go:\n\`\`\`python\n${RECIPE}\n\`\`\`\nand\n\`\`\`py\n${CHECK}\n\`\`\``);
    if ("error" in r) throw new Error(r.error);
    expect(r.recipe).toContain("dump_jsonl");
    expect(r.check).toContain("assert rows");
    expect(r.warnings[0]).toMatch(/not labelled/);
  });

  it("ignores reasoning blocks and non-python blocks", () => {
    const r = parseCoderReply(`<think>\`\`\`python\nbogus()\n\`\`\`</think>\n\`\`\`json\n{"a": 1}\n\`\`\`\n\`\`\`python title="recipe.py"\n${RECIPE}\n\`\`\`\n\`\`\`python title="check.py"\n${CHECK}\n\`\`\``);
    if ("error" in r) throw new Error(r.error);
    expect(r.recipe).not.toContain("bogus");
  });

  it("names what is missing", () => {
    const r = parseCoderReply(`### recipe.py\n\`\`\`python\n${RECIPE}\n\`\`\``);
    expect("error" in r && r.error).toMatch(/check\.py not found/);
    const none = parseCoderReply("I cannot help with that.");
    expect("error" in none && none.error).toMatch(/recipe\.py and check\.py not found \(0 python block/);
  });
});

describe("parseChefCompletion", () => {
  const completion = `${PLAN}\n\n### recipe.py\n\`\`\`python\n${RECIPE}\n\`\`\`\n\n### check.py\n\`\`\`python\n${CHECK}\n\`\`\`\n`;

  it("splits the plan from the two scripts", () => {
    const r = parseChefCompletion(completion, { knownSources: ["a", "b"] });
    if ("error" in r) throw new Error(r.error);
    expect(r.plan.training_data).toEqual([{ dataset_id: "a", split: "train", sample_num: 100, reason: "on task" }]);
    expect(r.plan.workflow).toBe("Read a, convert to chat, dedup, decontaminate.");
    expect(r.planMd).not.toContain("recipe.py");
    expect(r.planMd).not.toContain("dump_jsonl");
    expect(r.recipe).toContain("dc.dump_jsonl");
    expect(r.check).toContain("assert rows");
  });

  it("keeps the workflow clean when code follows it without a heading", () => {
    const text = `${PLAN}\n\nrecipe.py:\n\`\`\`python\n${RECIPE}\n\`\`\`\ncheck.py:\n\`\`\`python\n${CHECK}\n\`\`\``;
    const r = parseChefCompletion(text);
    if ("error" in r) throw new Error(r.error);
    expect(r.plan.workflow).toBe("Read a, convert to chat, dedup, decontaminate.");
  });

  it("reports an unknown source through the plan parser", () => {
    const r = parseChefCompletion(completion.replace('"dataset_id": "a"', '"dataset_id": "ghost"'), { knownSources: ["a"] });
    expect("error" in r && r.error).toMatch(/'ghost' is not a source/);
    expect("error" in r && r.partial?.recipe).toContain("dump_jsonl");
  });

  it("fails clearly without code or without a plan", () => {
    const noCode = parseChefCompletion(PLAN);
    expect("error" in noCode && noCode.error).toMatch(/recipe\.py and check\.py not found/);
    expect("error" in noCode && noCode.partial?.planMd).toContain("Training Data");
    const noPlan = parseChefCompletion(`### recipe.py\n\`\`\`python\n${RECIPE}\n\`\`\`\n### check.py\n\`\`\`python\n${CHECK}\n\`\`\``);
    expect("error" in noPlan && noPlan.error).toMatch(/plan part is invalid.*Training Data/);
    expect(parseChefCompletion("  ")).toEqual({ error: "the completion is empty" });
  });
});

describe("parseJudgeReply", () => {
  const cases: [string, string, string][] = [
    ["The answer is right.\nGrade: \\boxed{E} Reason: correct and well formatted", "pass", "correct and well formatted"],
    ["analysis...\n\\boxed{C} - the sum is 12, not 13", "incorrect", "the sum is 12, not 13"],
    ["Final grade: **D** (task mismatch)\nReason: off-topic", "task_mismatch", "off-topic"],
    ["\\boxed{\\text{B}}: no #### marker", "format_error", "no #### marker"],
    ["Verdict: pass — fits the task", "pass", "fits the task"],
    ["blah\n$\\boxed{A}$ reason: the question is cut off", "invalid", "the question is cut off"],
    ["\\boxed{task mismatch} because it is a recipe, not math", "task_mismatch", "because it is a recipe, not math"],
  ];
  it.each(cases)("%#: reads the grade and reason", (text, grade, reason) => {
    const r = parseJudgeReply(text);
    expect(r?.grade).toBe(grade);
    expect(r?.reason).toBe(reason);
  });

  it("takes the verdict that comes last, not a boxed answer quoted in the analysis", () => {
    const r = parseJudgeReply("The sample's answer is \\boxed{C}, which I re-derived as C.\nGrade: \\boxed{E} Reason: correct");
    expect(r?.grade).toBe("pass");
    const r2 = parseJudgeReply("The sample ends with \\boxed{B}.\nGrade: D\nReason: wrong domain");
    expect(r2?.grade).toBe("task_mismatch");
    expect(r2?.reason).toBe("wrong domain");
  });

  it("falls back on the analysis when no reason is given", () => {
    const r = parseJudgeReply("The question lacks the table it refers to.\n\\boxed{A}");
    expect(r).toEqual({ grade: "invalid", reason: "The question lacks the table it refers to.", analysis: "The question lacks the table it refers to." });
  });

  it("returns null when no grade is named", () => {
    expect(parseJudgeReply("This sample looks fine to me overall.")).toBeNull();
    expect(parseJudgeReply("\\boxed{42}")).toBeNull();
    expect(parseJudgeReply("")).toBeNull();
    expect(parseJudgeReply("<think>Grade: E</think>")).toBeNull();
  });
});

describe("static code checks", () => {
  const bench = { path: "/data/math/gsm8k_test.jsonl", id: "gsm8k_test" };
  it("finds unknown sources and benchmark reads", () => {
    expect(unknownSourceRefs('dc.iter_source("a"); dc.load_source(source_id="zz")', ["a"])).toEqual(["zz"]);
    expect(benchmarkAccess('open("/data/math/gsm8k_test.jsonl")', bench)).toMatch(/names the benchmark file/);
    expect(benchmarkAccess('open("../gsm8k_test.jsonl")', bench)).toMatch(/gsm8k_test\.jsonl/);
    expect(benchmarkAccess('dc.iter_source("gsm8k_test")', bench)).toMatch(/reads 'gsm8k_test'/);
    expect(benchmarkAccess('dc.decontaminate(recs)  # gsm8k_test fingerprints', bench)).toBeNull();
  });
  it("lists every problem", () => {
    const problems = codeProblems('dc.iter_source("b")\nopen("/data/math/gsm8k_test.jsonl")', CHECK, { sources: ["a"], benchmark: bench });
    expect(problems).toHaveLength(3);
    expect(codeProblems(RECIPE, CHECK, { sources: ["a"], benchmark: bench })).toEqual([]);
  });
});

describe("helpers", () => {
  it("strips reasoning, also an unopened closing tag", () => {
    expect(stripReasoning("<think>x</think>answer")).toBe("answer");
    expect(stripReasoning("thinking out loud</think>\nanswer")).toBe("answer");
  });
  it("finds the first JSON value", () => {
    expect(firstJson('text {"a": [1, 2]} more')).toEqual({ a: [1, 2] });
    expect(firstJson('```json\n{"b": 1}\n```')).toEqual({ b: 1 });
    expect(firstJson("no json")).toBeUndefined();
  });
});
