/**
 * The real HTTP path of every model call against the loopback OpenAI-compatible server: both
 * structured-output shapes, streaming and not, the recorder's view of them, and each fault
 * ending in a named error within the configured timeouts.
 */
import { z } from "zod";
import { invokeStructured, invokeText, LlmCallError } from "./call.js";
import { TrajectoryRecorder } from "./recorder.js";
import { OpenAiTestServer } from "./testing/openai-server.js";
import { testModelConfig } from "./testing/fixtures.js";

const Schema = z.object({ sources: z.array(z.string()), total: z.number().int() });

describe("model calls over loopback HTTP", () => {
  const server = new OpenAiTestServer({
    replies: [
      { match: /say hi/, content: "hi there" },
      { match: /give json/, json: { sources: ["a", "b"], total: 3 } },
      { match: /bad shape/, json: { sources: "a" } },
      { match: /prose only/, content: "I think sources a and b." },
      { match: /http500/, fault: "http500" },
      { match: /hang/, fault: "hang" },
      { match: /malformed/, fault: "malformed" },
      { match: /empty body/, fault: "empty" },
    ],
  });
  beforeAll(() => server.start());
  afterAll(() => server.close());

  const shapes = [
    { method: "jsonSchema" as const, streaming: false, shape: "json_schema" },
    { method: "jsonSchema" as const, streaming: true, shape: "json_schema" },
    { method: "functionCalling" as const, streaming: false, shape: "tool_call" },
    { method: "functionCalling" as const, streaming: true, shape: "tool_call" },
  ];
  it.each(shapes)("structured output via $method (streaming: $streaming) is parsed and recorded", async ({ method, streaming, shape }) => {
    const rec = new TrajectoryRecorder();
    const config = testModelConfig(server.url, { structuredMethod: method, streaming });
    const out = await invokeStructured({ system: "sys", user: "give json" }, Schema, "answer", { config, recorder: rec, agent: "planner" });
    expect(out.value).toEqual({ sources: ["a", "b"], total: 3 });
    const req = server.chatRequests().at(-1)!;
    expect(req.shape).toBe(shape);
    expect(req.body!.stream ?? false).toBe(streaming);
    const [r] = rec.records();
    expect(r).toMatchObject({ agent: "planner", status: "ok", model: "test-model", messages: [{ role: "system", content: "sys" }, { role: "user", content: "give json" }] });
    expect(r!.usage!.total_tokens).toBeGreaterThan(0);
    if (shape === "tool_call") expect(r!.response!.tool_calls![0]).toEqual({ name: "answer", args: { sources: ["a", "b"], total: 3 } });
    else expect(JSON.parse(r!.response!.content)).toEqual({ sources: ["a", "b"], total: 3 });
  });

  it("returns schema errors and non-JSON answers as errors, not exceptions", async () => {
    const config = testModelConfig(server.url);
    const bad = await invokeStructured({ user: "bad shape" }, Schema, "answer", { config });
    expect(bad.value).toBeUndefined();
    expect(bad.error).toMatch(/sources: .*expected array/i);
    const prose = await invokeStructured({ user: "prose only" }, Schema, "answer", { config });
    expect(prose.error).toBe("the answer is not valid JSON");
  });

  it("streams and does not stream plain text alike", async () => {
    for (const streaming of [false, true]) expect(await invokeText({ user: "say hi" }, { config: testModelConfig(server.url, { streaming }) })).toBe("hi there");
  });

  const faults: [string, string, number][] = [
    ["http500", "http_error", 3_000],
    ["malformed", "malformed_response", 3_000],
    ["empty body", "malformed_response", 3_000],
    ["hang", "timeout", 3_000],
  ];
  it.each(faults)("the fault '%s' ends in a %s error within the timeout", async (trigger, kind, bound) => {
    const rec = new TrajectoryRecorder();
    const config = testModelConfig(server.url, { timeoutMs: 800, maxRetries: 0 });
    const t0 = Date.now();
    const err = await invokeText({ user: trigger }, { config, recorder: rec }).catch((e) => e);
    expect(err).toBeInstanceOf(LlmCallError);
    expect(`${err.kind}: ${err.message}`).toMatch(new RegExp(`^${kind}:`));
    expect(Date.now() - t0).toBeLessThan(bound);
    expect(rec.records()[0]).toMatchObject({ status: "error" });
  });

  it("bounds a hanging server by timeout x (retries + 1)", async () => {
    const config = testModelConfig(server.url, { timeoutMs: 400, maxRetries: 1 });
    const t0 = Date.now();
    const err = await invokeText({ user: "hang" }, { config }).catch((e) => e);
    const took = Date.now() - t0;
    expect(err.kind).toBe("timeout");
    expect(took).toBeGreaterThanOrEqual(800);
    expect(took).toBeLessThan(400 * 2 + 2_000 + 1_000);
  });
});
