/** The LLM coder and the end-to-end chef over loopback HTTP: valid code, invalid code re-asked, repairs. */
import { LlmPolicyError } from "../../src/llm/call.js";
import { TrajectoryRecorder } from "../../src/llm/recorder.js";
import { chefReply, codeReply, GOOD_CHECK, GOOD_PLAN, GOOD_RECIPE, testModelConfig, tinyTask } from "../../src/llm/testing/fixtures.js";
import { OpenAiTestServer } from "../../src/llm/testing/openai-server.js";
import { planFromLlm } from "../planner/llm.js";
import { chefLlm } from "./chef.js";
import { repairRecipeLlm, writeRecipeLlm } from "./llm.js";

const isCoder = (c: { system: string }) => /You are the coder of datachef\. You turn/.test(c.system);
const isRepair = (c: { system: string }) => /repairing a data recipe/.test(c.system);
const isChef = (c: { system: string }) => /You are datachef, an expert/.test(c.system);
const plan = planFromLlm(GOOD_PLAN);

describe("writeRecipeLlm / repairRecipeLlm", () => {
  const server = new OpenAiTestServer();
  beforeAll(() => server.start());
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it("returns recipe.py and check.py, with the toolkit reference and the plan in the prompt", async () => {
    server.script({ match: isCoder, content: codeReply() });
    const rec = new TrajectoryRecorder();
    const out = await writeRecipeLlm({ ...tinyTask(), plan, config: testModelConfig(server.url, { agent: "coder", streaming: true }), recorder: rec });
    expect(out.recipe).toBe(GOOD_RECIPE + "\n");
    expect(out.check).toBe(GOOD_CHECK + "\n");
    const sent = server.chatRequests()[0]!.body!;
    expect(String(sent.messages[0]!.content)).toContain("dc.dump_jsonl(");
    expect(String(sent.messages.at(-1)!.content)).toContain('"dataset_id":"word_problems"');
    // only the planned source's profile is shown
    expect(String(sent.messages.at(-1)!.content)).not.toContain("### source `cooking_tips`");
    expect(rec.records()[0]!.agent).toBe("coder");
  });

  it("re-asks code that reads the benchmark, then reports it as a clear failure", async () => {
    const leaky = GOOD_RECIPE.replace('dc.iter_source("word_problems")', 'dc.iter_source("bench_test")');
    server.script({ match: isCoder, content: codeReply(leaky) });
    const err = await writeRecipeLlm({ ...tinyTask(), plan, config: testModelConfig(server.url), retries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(LlmPolicyError);
    expect(err.kind).toBe("invalid_output");
    expect(err.message).toMatch(/must never read the benchmark/);
    expect(server.chatRequests()).toHaveLength(2);
    expect(String(server.chatRequests()[1]!.body!.messages.at(-1)!.content)).toMatch(/previous answer was rejected[\s\S]*benchmark/);
  });

  it("re-asks a reply without check.py and accepts the corrected one", async () => {
    server.script({ match: isCoder, content: "```python\n" + GOOD_RECIPE + "\n```", times: 1 }, { match: isCoder, content: codeReply() });
    const out = await writeRecipeLlm({ ...tinyTask(), plan, config: testModelConfig(server.url) });
    expect(out.attempts).toBe(2);
  });

  it("repairs from the error classification and the tails", async () => {
    server.script({ match: isRepair, content: codeReply(GOOD_RECIPE, GOOD_CHECK, "closed the parenthesis") });
    const broken = GOOD_RECIPE.replace("build)", "build");
    const out = await repairRecipeLlm({
      ...tinyTask(),
      plan,
      config: testModelConfig(server.url, { agent: "coder" }),
      recipe: broken,
      check: GOOD_CHECK,
      error: { kind: "syntax", message: "SyntaxError: '(' was never closed (recipe.py, line 4)", tracebackTail: 'File "recipe.py", line 4', stderrTail: "SyntaxError: '(' was never closed" },
      failedPhase: "recipe",
      attempt: 1,
    });
    expect(out.fix).toBe("closed the parenthesis");
    expect(out.recipe).toContain("build)");
    const user = String(server.chatRequests()[0]!.body!.messages.at(-1)!.content);
    expect(user).toContain("Error kind: syntax");
    expect(user).toContain("'(' was never closed");
    expect(user).toContain(broken);
  });
});

describe("chefLlm", () => {
  const server = new OpenAiTestServer();
  beforeAll(() => server.start());
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it("returns plan and code from one call", async () => {
    server.script({ match: isChef, content: chefReply() });
    const out = await chefLlm({ ...tinyTask(), config: testModelConfig(server.url, { agent: "chef" }) });
    expect(out.plan.training_data).toEqual(GOOD_PLAN.training_data);
    expect(out.recipe).toContain("dc.dump_jsonl");
    expect(out.check).toContain("#### marker");
    expect(out.planText).not.toContain("import datachef_toolkit");
    expect(server.chatRequests()).toHaveLength(1);
  });

  it("re-asks when the plan names a missing source, then reports", async () => {
    const ghost = { ...GOOD_PLAN, training_data: [{ dataset_id: "nope", split: "train", sample_num: 10, reason: "x" }] };
    server.script({ match: isChef, content: chefReply(ghost) });
    const err = await chefLlm({ ...tinyTask(), config: testModelConfig(server.url, { agent: "chef" }), retries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(LlmPolicyError);
    expect(err.message).toMatch(/'nope' is not a source/);
    expect(server.chatRequests()).toHaveLength(2);
  });
});
