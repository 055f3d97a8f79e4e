/**
 * The recipe-side LLM bridge end to end: a real recipe in the real LocalSandbox (bubblewrap, no
 * network) reaches the loopback model only through the bind-mounted unix socket, within its
 * budget, and every call lands in trajectory.jsonl.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalSandbox } from "../sandbox/local.js";
import { TOOLKIT_PATH } from "../toolkit/reference.js";
import { bridgeBudgetFor, LlmBridge } from "./bridge.js";
import { readTrajectory, TrajectoryRecorder } from "./recorder.js";
import { testModelConfig } from "./testing/fixtures.js";
import { OpenAiTestServer } from "./testing/openai-server.js";

const RECIPE = `
import datachef_toolkit as dc
answers, refused = [], None
for i in range(50):
    try:
        answers.append(dc.generate_with_llm("Rewrite problem %d" % i, system="You rewrite math problems."))
    except dc.LLMBudgetExceeded as e:
        refused = str(e)
        break
print("ANSWERS", len(answers))
print("FIRST", answers[0])
print("REFUSED", refused)
print("USAGE", dc.llm_usage())
`;

describe("LlmBridge", () => {
  const server = new OpenAiTestServer({ replies: [{ match: /budget probe/, content: "probe ok", usage: { prompt_tokens: 10, completion_tokens: 5 } }, { match: /Rewrite problem (\d+)/, content: (c) => `rewritten: ${/problem (\d+)/.exec(c.user)![1]}` }] });
  beforeAll(() => server.start());
  afterAll(() => server.close());

  it("gives a recipe that calls 50 times with a budget of 10 exactly 10 answers and a clear budget error", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bridge-run-"));
    const file = path.join(dir, "trajectory.jsonl");
    const recorder = new TrajectoryRecorder({ file });
    const budget = bridgeBudgetFor({ budget: { llm_calls: 10 } });
    expect(budget).toEqual({ calls: 10, tokens: 400_000 });
    const bridge = await LlmBridge.start({ config: testModelConfig(server.url, { agent: "synthesis", concurrency: 2 }), budget, recorder });
    const sandbox = await LocalSandbox.create({ bindPaths: bridge.bindPaths() });
    try {
      await sandbox.writeFile("datachef_toolkit.py", readFileSync(TOOLKIT_PATH));
      await sandbox.writeFile("recipe.py", RECIPE);
      const run = await sandbox.run(["python3", "recipe.py"], { env: bridge.env(), limits: { wallMs: 60_000 } });
      expect(run.stderr).not.toMatch(/Traceback/);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain("ANSWERS 10");
      expect(run.stdout).toContain("FIRST rewritten: 0");
      expect(run.stdout).toMatch(/REFUSED LLM budget exceeded: LLM call budget of this recipe exhausted: 10 call\(s\) allowed/);
      expect(run.stdout).toMatch(/USAGE \{'calls': 10,/);
    } finally {
      await sandbox.close();
      await bridge.close();
    }
    expect(bridge.usage).toMatchObject({ calls: 10, refused: 1, failed: 0 });
    expect(server.chatRequests().filter((r) => /Rewrite problem/.test(JSON.stringify(r.body)))).toHaveLength(10);
    const lines = readTrajectory(file);
    expect(lines.filter((l) => l.agent === "synthesis" && l.status === "ok")).toHaveLength(10);
    expect(lines.filter((l) => l.status === "refused")).toHaveLength(1);
    expect(lines[0]!.messages).toEqual([{ role: "system", content: "You rewrite math problems." }, { role: "user", content: "Rewrite problem 0" }]);
    expect(lines[0]!.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("refuses once the token budget is spent and answers bad requests with 400", async () => {
    const recorder = new TrajectoryRecorder();
    const bridge = await LlmBridge.start({ config: testModelConfig(server.url, { agent: "synthesis" }), budget: { calls: 100, tokens: 12 }, recorder, listen: "tcp" });
    try {
      const post = (body: unknown) => fetch(bridge.address, { method: "POST", body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
      const first = await post({ prompt: "budget probe" });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ text: "probe ok", usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
      // the first call used 15 of the 12 tokens: the next one is refused
      const second = await post({ prompt: "budget probe" });
      expect(second.status).toBe(429);
      expect(second.body.error).toMatch(/token budget of this recipe exhausted: 12 token\(s\) allowed, 15 used/);
      expect(recorder.records().map((r) => r.status)).toEqual(["ok", "refused"]);
      expect((await post({ prompt: "" })).status).toBe(400);
      expect((await post({ prompt: "x", max_tokens: "many" })).status).toBe(400);
    } finally {
      await bridge.close();
    }
  });

  it("reports a failing model as 502 to the recipe, not as a hang", async () => {
    const failing = new OpenAiTestServer({ replies: [{ fault: "http500" }] });
    await failing.start();
    const bridge = await LlmBridge.start({ config: testModelConfig(failing.url, { agent: "synthesis" }), budget: { calls: 5, tokens: 1000 }, listen: "tcp" });
    try {
      const r = await fetch(bridge.address, { method: "POST", body: JSON.stringify({ prompt: "hi" }) });
      expect(r.status).toBe(502);
      expect(((await r.json()) as { error: string }).error).toMatch(/^http_error: HTTP 500/);
    } finally {
      await bridge.close();
      await failing.close();
    }
  });
});
