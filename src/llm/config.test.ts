import { chatModelFor, describeModel, ModelConfigError, modelConfigFor, policyHasModel, sharedChatModel } from "./config.js";

describe("modelConfigFor", () => {
  it("is null without any model: the built-in policy is used", () => {
    expect(modelConfigFor("planner", {}, {})).toBeNull();
    expect(chatModelFor("judge", {}, {})).toBeNull();
    expect(policyHasModel({}, {})).toBe(false);
  });

  it("reads DATACHEF_MODEL, OPENAI_BASE_URL and OPENAI_API_KEY, with per-agent defaults", () => {
    const env = { DATACHEF_MODEL: "qwen3-32b", OPENAI_BASE_URL: "http://127.0.0.1:8000/v1", OPENAI_API_KEY: "sk-x" };
    const planner = modelConfigFor("planner", {}, env)!;
    expect(planner).toMatchObject({ agent: "planner", model: "qwen3-32b", baseUrl: "http://127.0.0.1:8000/v1", apiKey: "sk-x", temperature: 0.7, concurrency: 1, structuredMethod: "jsonSchema", streaming: false });
    const judge = modelConfigFor("judge", {}, env)!;
    expect(judge.temperature).toBe(0);
    expect(judge.concurrency).toBe(8);
    expect(describeModel(planner)).toBe("qwen3-32b @ http://127.0.0.1:8000/v1");
  });

  it("applies per-agent environment overrides", () => {
    const env = {
      DATACHEF_MODEL: "base",
      DATACHEF_JUDGE_MODEL: "judge-model",
      DATACHEF_JUDGE_BASE_URL: "http://127.0.0.1:9/v1",
      DATACHEF_JUDGE_TEMPERATURE: "0.2",
      DATACHEF_JUDGE_MAX_TOKENS: "512",
      DATACHEF_JUDGE_TIMEOUT_MS: "1500",
      DATACHEF_JUDGE_CONCURRENCY: "16",
      DATACHEF_CODER_STRUCTURED_METHOD: "function_calling",
      DATACHEF_CODER_STREAMING: "true",
    };
    expect(modelConfigFor("judge", {}, env)).toMatchObject({ model: "judge-model", baseUrl: "http://127.0.0.1:9/v1", temperature: 0.2, maxTokens: 512, timeoutMs: 1500, concurrency: 16 });
    expect(modelConfigFor("coder", {}, env)).toMatchObject({ model: "base", structuredMethod: "functionCalling", streaming: true });
    expect(modelConfigFor("planner", {}, env)!.baseUrl).toBeUndefined();
  });

  it("lets the run context override the environment", () => {
    const env = { DATACHEF_MODEL: "env-model", OPENAI_BASE_URL: "http://127.0.0.1:1/v1", DATACHEF_PLANNER_TEMPERATURE: "0.3" };
    const ctx = { model: "ctx-model", baseUrl: "http://127.0.0.1:2/v1", judgeModel: "ctx-judge", temperature: 1, agents: { coder: { model: "ctx-coder", timeoutMs: 5 } } };
    expect(modelConfigFor("planner", ctx, env)).toMatchObject({ model: "ctx-model", baseUrl: "http://127.0.0.1:2/v1", temperature: 0.3 });
    expect(modelConfigFor("coder", ctx, env)).toMatchObject({ model: "ctx-coder", timeoutMs: 5, temperature: 1 });
    // the policy temperature of the context never reaches the judge
    expect(modelConfigFor("judge", ctx, env)).toMatchObject({ model: "ctx-judge", temperature: 0 });
  });

  it("keeps one agent built-in with the model name 'builtin'", () => {
    const env = { DATACHEF_MODEL: "m", DATACHEF_JUDGE_MODEL: "builtin" };
    expect(modelConfigFor("judge", {}, env)).toBeNull();
    expect(modelConfigFor("judge", { judgeModel: "other" }, env)!.model).toBe("other");
    expect(modelConfigFor("planner", { judgeModel: "builtin" }, { DATACHEF_MODEL: "m" })!.model).toBe("m");
  });

  it("lets the chef fall back on the planner's model", () => {
    expect(modelConfigFor("chef", {}, { DATACHEF_PLANNER_MODEL: "p" })!.model).toBe("p");
    expect(modelConfigFor("chef", {}, { DATACHEF_PLANNER_MODEL: "p", DATACHEF_CHEF_MODEL: "c" })!.model).toBe("c");
  });

  it("rejects malformed values instead of silently ignoring them", () => {
    expect(() => modelConfigFor("judge", {}, { DATACHEF_MODEL: "m", DATACHEF_JUDGE_CONCURRENCY: "lots" })).toThrow(ModelConfigError);
    expect(() => modelConfigFor("judge", {}, { DATACHEF_MODEL: "m", DATACHEF_JUDGE_TEMPERATURE: "-1" })).toThrow(/>= 0/);
    expect(() => modelConfigFor("coder", {}, { DATACHEF_MODEL: "m", DATACHEF_CODER_STRUCTURED_METHOD: "xml" })).toThrow(/jsonSchema/);
  });

  it("builds a ChatOpenAI pointed at the configured endpoint", () => {
    const m = chatModelFor("planner", {}, { DATACHEF_MODEL: "m1", OPENAI_BASE_URL: "http://127.0.0.1:7/v1", DATACHEF_PLANNER_TIMEOUT_MS: "1234" })!;
    expect(m.model).toBe("m1");
    expect(m.timeout).toBe(1234);
    expect((m as unknown as { clientConfig: { baseURL?: string } }).clientConfig.baseURL).toBe("http://127.0.0.1:7/v1");
  });

  it("shares one model per distinct configuration", () => {
    const env = { DATACHEF_MODEL: "m1", OPENAI_BASE_URL: "http://127.0.0.1:7/v1" };
    const judge = modelConfigFor("judge", {}, env)!;
    expect(sharedChatModel(judge)).toBe(sharedChatModel({ ...judge }));
    expect(sharedChatModel({ ...judge, temperature: 0.5 })).not.toBe(sharedChatModel(judge));
    expect(sharedChatModel({ ...judge, baseUrl: "http://127.0.0.1:8/v1" })).not.toBe(sharedChatModel(judge));
    expect(sharedChatModel({ ...judge, temperature: 0.5 }).temperature).toBe(0.5);
  });
});
