/**
 * The graphs as LangGraph Studio serves them: `langgraphjs dev` on a free loopback port, driven
 * through @langchain/langgraph-sdk. Demo tasks are generated into a temp folder (no ../shared
 * needed); the shared-task cook runs when ../shared is present.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@langchain/langgraph-sdk";
import { generateDemoPool, demoTaskSpec } from "../src/demo/generate.js";
import { openRolloutStore } from "../src/rl/store.js";
import { hasShared, SHARED_TASKS } from "../evals/shared.js";
import { startDevServer, type DevServer } from "./testing/dev-server.js";

type Values = Record<string, any>;

function lastAiText(values: Values): string {
  const msgs = (values.messages ?? []) as { type?: string; content?: unknown }[];
  const ai = [...msgs].reverse().find((m) => m.type === "ai");
  return String(ai?.content ?? "");
}

describe("LangGraph dev server (Studio)", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "datachef-studio-"));
  const runsDir = path.join(root, "runs");
  let server: DevServer;
  let client: Client;
  let pool: string;
  const ctx = () => ({ runsDir, samples: 30, seed: 1 });

  beforeAll(async () => {
    pool = path.join(root, "demo");
    await generateDemoPool(pool);
    server = await startDevServer();
    client = new Client({ apiUrl: server.url });
  }, 150_000);

  afterAll(async () => {
    await server?.stop();
    // the process group is gone: nothing answers on the port any more
    if (server) await expect(fetch(`${server.url}/ok`)).rejects.toThrow();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  test("serves recipe, chat and rollout; the chat's input schema has messages", async () => {
    const assistants = await client.assistants.search({ limit: 20 });
    expect(assistants.map((a) => a.graph_id).sort()).toEqual(expect.arrayContaining(["chat", "recipe", "rollout"]));
    const chat = assistants.find((a) => a.graph_id === "chat")!;
    const res = await fetch(`${server.url}/assistants/${chat.assistant_id}/schemas`);
    expect(res.status).toBe(200);
    const schemas = (await res.json()) as { input_schema: { properties: Record<string, { description?: string }> } };
    const props = schemas.input_schema.properties;
    expect(Object.keys(props)).toEqual(expect.arrayContaining(["messages", "tasksDir", "taskPath", "seed", "samples", "policy", "model"]));
    for (const k of ["tasksDir", "taskPath", "seed", "samples", "policy", "model"]) expect(props[k]!.description).toMatch(/\w{4}/);
    // the other graphs' forms: described input fields, run settings included
    const runSettings = ["seed", "samples", "policy", "model"];
    for (const [graph, fields] of [
      ["recipe", ["taskPath", "task", "outDir", "only", "maxRecords", ...runSettings]],
      ["rollout", ["tasks", "group", "concurrency", "augment", "store", ...runSettings]],
    ] as const) {
      const id = assistants.find((a) => a.graph_id === graph)!.assistant_id;
      const input = ((await (await fetch(`${server.url}/assistants/${id}/schemas`)).json()) as { input_schema: { properties: Record<string, { description?: string; type?: string; properties?: Record<string, unknown> }> } }).input_schema.properties;
      for (const f of fields) expect([graph, f, input[f]?.description]).toEqual([graph, f, expect.stringMatching(/\w{4}/)]);
      if (graph === "recipe") expect(Object.keys(input.task!.properties ?? {})).toEqual(expect.arrayContaining(["id", "instruction", "benchmark", "sources", "budget"]));
      if (graph === "rollout") expect(input.group!.type).toBe("integer");
    }
  });

  test("recipe: the form's run settings override the context; an inline task spec runs", async () => {
    const thread = await client.threads.create();
    const spec = JSON.parse(readFileSync(demoTaskSpec(pool, "tickets"), "utf8")) as Values;
    const base = path.dirname(demoTaskSpec(pool, "tickets"));
    // inline specs resolve relative paths against the working directory: make them absolute
    const inline = { ...spec, benchmark: { ...spec.benchmark, path: path.resolve(base, spec.benchmark.path) }, sources: spec.sources.map((s: Values) => ({ ...s, path: path.resolve(base, s.path) })) };
    const out = path.join(root, "inline");
    const values = (await client.runs.wait(thread.thread_id, "recipe", { input: { task: inline, outDir: out, seed: 5, samples: 12 }, context: ctx() })) as Values;
    expect(values.report?.status).toBe("ok");
    const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8")) as Values;
    expect([report.task, report.verifier.seed, report.verifier.samples_requested]).toEqual([spec.id, 5, 12]);
  }, 120_000);

  (hasShared() ? test : test.skip)(
    "recipe cooks a shared task through runs.wait",
    async () => {
      const thread = await client.threads.create();
      const out = path.join(root, "shared-fpb");
      const values = (await client.runs.wait(thread.thread_id, "recipe", { input: { taskPath: path.join(SHARED_TASKS, "fpb.json"), outDir: out }, context: ctx() })) as Values;
      expect(values.report?.status).toBe("ok");
      expect(values.report.reward).toBeGreaterThan(0);
      expect(JSON.parse(readFileSync(path.join(out, "report.json"), "utf8")).task).toBe("fpb");
      expect(existsSync(path.join(out, "report.html"))).toBe(true);
    },
    120_000,
  );

  test("runs.stream yields every node's update and the custom progress events", async () => {
    const thread = await client.threads.create();
    const events: { event: string; data: any }[] = [];
    for await (const ev of client.runs.stream(thread.thread_id, "recipe", {
      input: { taskPath: demoTaskSpec(pool, "tickets"), outDir: path.join(root, "streamed") },
      context: ctx(),
      streamMode: ["updates", "custom"],
    }))
      events.push(ev as { event: string; data: any });
    const nodes = events.filter((e) => e.event === "updates").flatMap((e) => Object.keys(e.data));
    expect(nodes).toEqual(expect.arrayContaining(["load_task", "plan", "approve", "write_code", "execute", "verify"]));
    const progress = events.filter((e) => e.event === "custom" && e.data?.type === "progress");
    expect(new Set(progress.map((e) => e.data.node))).toEqual(new Set(["load_task", "execute", "verify"]));
    expect(progress.some((e) => e.data.total > 0)).toBe(true);
  }, 120_000);

  test("chat shows the plan in an interrupt; approve finishes with an ok report, streaming progress", async () => {
    const thread = await client.threads.create();
    const spec = demoTaskSpec(pool, "math");
    await client.runs.wait(thread.thread_id, "chat", { input: { messages: [{ role: "user", content: `cook a recipe for ${spec}` }] }, context: ctx() });
    const state = await client.threads.getState(thread.thread_id);
    expect(state.next).toEqual(["cook"]);
    const pending = state.tasks.flatMap((t) => t.interrupts ?? [])[0]?.value as Values;
    expect(pending.kind).toBe("approve_plan");
    expect(pending.planMd).toContain("## Training Data");
    expect(pending.plan.training_data.length).toBeGreaterThan(0);

    const events: { event: string; data: any }[] = [];
    for await (const ev of client.runs.stream(thread.thread_id, "chat", { command: { resume: { action: "approve" } }, context: ctx(), streamMode: ["updates", "custom"] }))
      events.push(ev as { event: string; data: any });
    const progress = events.filter((e) => e.event === "custom").map((e) => `${e.data.node}: ${e.data.message}`);
    expect(progress.some((p) => /^cook: recipe\/execute: attempt 1 ok/.test(p))).toBe(true);
    expect(progress.some((p) => /^verify: grading samples/.test(p))).toBe(true);
    expect(events.some((e) => e.event === "updates" && e.data.cook)).toBe(true);

    const done = (await client.threads.getState(thread.thread_id)).values as Values;
    const text = lastAiText(done);
    expect(text).toMatch(/status ok, reward \d\.\d{3}/);
    expect(text).toMatch(/Grades: 30 graded/);
    expect(text).toMatch(/Most common failure reasons/);
    expect(done.lastRun.status).toBe("ok");
    expect(JSON.parse(readFileSync(path.join(done.lastRun.outDir, "report.json"), "utf8")).status).toBe("ok");
    // a follow-up question is answered from the plan's reasons
    const dropped = done.lastPlan.rejected[0].dataset_id as string;
    const follow = (await client.runs.wait(thread.thread_id, "chat", { input: { messages: [{ role: "user", content: `why did you drop source ${dropped}?` }] }, context: ctx() })) as Values;
    expect(lastAiText(follow)).toContain(`I dropped ${dropped}`);
  }, 150_000);

  test("chat: resuming with a rejection ends cleanly; an unparseable request gets help", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "chat", { input: { messages: [{ role: "user", content: `cook ${demoTaskSpec(pool, "mcqa")}` }] }, context: ctx() });
    expect((await client.threads.getState(thread.thread_id)).next).toEqual(["cook"]);
    const values = (await client.runs.wait(thread.thread_id, "chat", { command: { resume: "reject" }, context: ctx() })) as Values;
    expect(lastAiText(values)).toMatch(/rejected: nothing was run or written/);
    const after = await client.threads.getState(thread.thread_id);
    expect(after.next).toEqual([]);
    expect((await client.threads.get(thread.thread_id)).status).toBe("idle");

    const help = (await client.runs.wait(thread.thread_id, "chat", { input: { messages: [{ role: "user", content: "make me a sandwich" }] }, context: ctx() })) as Values;
    const text = lastAiText(help);
    expect(text).toMatch(/^I did not understand "make me a sandwich"/);
    expect(text).toContain("verify my file data/mine.jsonl against this task");
    expect(text).not.toMatch(/\bat .*\.(ts|js):\d+/);
  }, 120_000);

  test("rollout with G=2 stores two rollouts", async () => {
    const store = path.join(root, "rollouts.sqlite");
    const thread = await client.threads.create();
    const values = (await client.runs.wait(thread.thread_id, "rollout", {
      // G and the store from the form's input fields, the rest from the context
      input: { tasks: [demoTaskSpec(pool, "tickets")], group: 2, store },
      context: { ...ctx(), group: 8, concurrency: 2, samples: 20 },
    })) as Values;
    expect(values.rollouts).toHaveLength(2);
    const s = openRolloutStore(store);
    try {
      expect(await s.count()).toBe(2);
    } finally {
      await s.close();
    }
  }, 150_000);
});
