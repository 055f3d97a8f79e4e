import { traceAgent, tracingEnabled } from "./tracing.js";

describe("tracing helpers", () => {
  const saved = process.env.LANGSMITH_TRACING;
  afterEach(() => {
    if (saved === undefined) delete process.env.LANGSMITH_TRACING;
    else process.env.LANGSMITH_TRACING = saved;
  });

  it("reads LANGSMITH_TRACING", () => {
    process.env.LANGSMITH_TRACING = "false";
    expect(tracingEnabled()).toBe(false);
    process.env.LANGSMITH_TRACING = "true";
    expect(tracingEnabled()).toBe(true);
  });

  it("runs the agent step and passes its result and errors through", async () => {
    delete process.env.LANGSMITH_TRACING;
    await expect(traceAgent("planner", { task_id: "t" }, async () => ({ plan: 1 }))).resolves.toEqual({ plan: 1 });
    await expect(traceAgent("coder", {}, async () => { throw new Error("boom"); })).rejects.toThrow("boom");
  });
});
