/** The LLM planner over loopback HTTP: valid plans in every shape, invalid ones retried then reported. */
import { LlmPolicyError } from "../../src/llm/call.js";
import { TrajectoryRecorder } from "../../src/llm/recorder.js";
import { GOOD_PLAN, planMarkdown, testModelConfig, tinyTask } from "../../src/llm/testing/fixtures.js";
import { OpenAiTestServer } from "../../src/llm/testing/openai-server.js";
import { planLlm, validatePlan } from "./llm.js";

const isPlanner = (ctx: { system: string }) => /planner of datachef/.test(ctx.system);

describe("planLlm", () => {
  const server = new OpenAiTestServer();
  beforeAll(() => server.start());
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it.each([
    ["jsonSchema", false],
    ["functionCalling", true],
  ] as const)("returns the plan of a structured answer (%s, streaming %s)", async (structuredMethod, streaming) => {
    server.script({ match: isPlanner, json: GOOD_PLAN });
    const rec = new TrajectoryRecorder();
    const out = await planLlm({ ...tinyTask(), config: testModelConfig(server.url, { structuredMethod, streaming }), recorder: rec });
    expect(out.plan.training_data).toEqual(GOOD_PLAN.training_data);
    expect(out.plan.rejected).toEqual([{ dataset_id: "cooking_tips", reason: "off-domain" }]);
    expect(out.plan.operations.decontaminate).toBe(true);
    expect(out.decisions).toEqual([]);
    expect(out.attempts).toBe(1);
    const sent = server.chatRequests()[0]!.body!;
    const user = String(sent.messages.at(-1)!.content);
    // the prompt carries the task, the sources and the benchmark examples
    expect(user).toContain("word_problems");
    expect(user).toContain("Ann has 4 pens");
    expect(rec.records()).toHaveLength(1);
    expect(rec.records()[0]!.agent).toBe("planner");
  });

  it("reads a plan.md answer in text mode", async () => {
    server.script({ match: isPlanner, content: planMarkdown() });
    const out = await planLlm({ ...tinyTask(), config: testModelConfig(server.url, { structuredMethod: "text" }) });
    expect(out.plan.training_data[0]!.dataset_id).toBe("word_problems");
    expect(out.planText).toContain("## Training Data");
  });

  it("re-asks with the errors when a plan names a missing source, then succeeds", async () => {
    const ghost = { ...GOOD_PLAN, training_data: [{ dataset_id: "ghost_source", split: "train", sample_num: 10, reason: "x" }] };
    server.script({ match: isPlanner, json: ghost, times: 1 }, { match: isPlanner, json: GOOD_PLAN });
    const out = await planLlm({ ...tinyTask(), config: testModelConfig(server.url) });
    expect(out.attempts).toBe(2);
    const second = String(server.chatRequests()[1]!.body!.messages.at(-1)!.content);
    expect(second).toContain("Your previous answer was rejected");
    expect(second).toContain("'ghost_source' is not a source of this task");
  });

  it("reports a plan that keeps naming a missing source as a clear failure after the retries", async () => {
    const ghost = { ...GOOD_PLAN, training_data: [{ dataset_id: "ghost_source", split: "train", sample_num: 10, reason: "x" }] };
    server.script({ match: isPlanner, json: ghost });
    const err = await planLlm({ ...tinyTask(), config: testModelConfig(server.url), retries: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(LlmPolicyError);
    expect(err.kind).toBe("invalid_output");
    expect(err.attempts).toBe(2);
    expect(err.message).toMatch(/still invalid after 2 attempts.*ghost_source/);
    expect(server.chatRequests()).toHaveLength(2);
  });

  it("fails fast with the call's kind when the server fails", async () => {
    server.script({ match: isPlanner, fault: "http500" });
    const err = await planLlm({ ...tinyTask(), config: testModelConfig(server.url) }).catch((e) => e);
    expect(err).toBeInstanceOf(LlmPolicyError);
    expect(err.kind).toBe("http_error");
    expect(err.message).toMatch(/planner model call failed \(http_error\)/);
  });

  it("honours --only: other sources are neither shown nor allowed", async () => {
    server.script({ match: isPlanner, json: GOOD_PLAN });
    const err = await planLlm({ ...tinyTask(), only: ["cooking_tips"], config: testModelConfig(server.url), retries: 0 }).catch((e) => e);
    expect(err.message).toMatch(/'word_problems' is not a source of this task \(allowed: cooking_tips\)/);
    expect(String(server.chatRequests()[0]!.body!.messages.at(-1)!.content)).not.toContain("### source `word_problems`");
  });
});

describe("validatePlan", () => {
  const plan = { training_data: [{ dataset_id: "a", split: "train", sample_num: 800, reason: "" }, { dataset_id: "b", split: "train", sample_num: 400, reason: "" }], rejected: [], workflow: "w", operations: GOOD_PLAN.operations as never };
  it("scales an over-budget plan and gives every source a fate", () => {
    const out = validatePlan(plan, ["a", "b", "c"], 600);
    expect(out.errors).toEqual([]);
    expect(out.plan.training_data.map((t) => t.sample_num)).toEqual([400, 200]);
    expect(out.plan.rejected).toEqual([{ dataset_id: "c", reason: "not selected by the planner (no reason given)" }]);
    expect(out.warnings[0]).toMatch(/more than the budget of 600/);
  });
  it("rejects duplicates and empty plans", () => {
    expect(validatePlan({ ...plan, training_data: [plan.training_data[0]!, plan.training_data[0]!] }, ["a"], 10_000).errors[0]).toMatch(/more than once/);
    expect(validatePlan({ ...plan, training_data: [] }, ["a"], 10).errors[0]).toMatch(/selects no source/);
  });
});
