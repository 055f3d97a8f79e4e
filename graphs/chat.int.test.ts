/**
 * The chat graph in process (MemorySaver): settings carried into a cook, an edit answered in
 * words at the approval interrupt, the record budget honoured, a user's file verified, and
 * clear replies for unknown sources and files.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { Command, MemorySaver } from "@langchain/langgraph";
import { demoTaskSpec, generateDemoPool } from "../src/demo/generate.js";
import { chatContext, chatGraphBuilder } from "./chat.js";

describe("chat graph", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "datachef-chatgraph-"));
  let pool: string;
  beforeAll(async () => {
    pool = path.join(root, "demo");
    await generateDemoPool(pool);
  });

  test("settings, edit at the interrupt, budget, verify my file", async () => {
    const graph = chatGraphBuilder.compile({ checkpointer: new MemorySaver(), name: "chat" });
    const config = { configurable: { thread_id: "c1" }, context: chatContext({ runsDir: path.join(root, "runs"), samples: 25, seed: 2, tasksDir: path.join(pool, "tasks") }) };
    const say = async (text: string) => (await graph.invoke({ messages: [new HumanMessage(text)] }, config)) as Record<string, any>;
    const last = (v: Record<string, any>) => String(v.messages.at(-1).content);

    // a restriction before any task is known is kept; an unknown source is refused once the task is known
    let v = await say("cook demo_ticket_routing");
    const pending = v.__interrupt__[0].value;
    const ids: string[] = [...pending.plan.training_data.map((d: any) => d.dataset_id), ...pending.plan.rejected.map((r: any) => r.dataset_id)];
    v = (await graph.invoke(new Command({ resume: "reject" }), config)) as Record<string, any>;
    expect(last(v)).toMatch(/rejected/);
    v = await say("use only no_such_source");
    expect(last(v)).toMatch(/no_such_source is not a source of demo_ticket_routing\. Its sources are: /);

    v = await say("keep it under 300 records");
    expect(v.maxRecords).toBe(300);
    v = await say("cook");
    expect(v.__interrupt__[0].value.kind).toBe("approve_plan");
    const chosen = v.__interrupt__[0].value.plan.training_data.map((d: any) => d.dataset_id) as string[];
    const keep = chosen[0]!;
    // an edit in plain words re-plans with that source only
    v = (await graph.invoke(new Command({ resume: `use only ${keep}` }), config)) as Record<string, any>;
    expect(v.__interrupt__[0].value.plan.training_data.map((d: any) => d.dataset_id)).toEqual([keep]);
    v = (await graph.invoke(new Command({ resume: { action: "approve" } }), config)) as Record<string, any>;
    expect(last(v)).toMatch(/demo_ticket_routing: status ok/);
    expect(v.lastRun.status).toBe("ok");
    const report = JSON.parse(readFileSync(path.join(v.lastRun.outDir, "report.json"), "utf8"));
    expect(report.records).toBeLessThanOrEqual(300);
    expect(report.sources_used).toEqual([keep]);
    expect(ids).toContain(keep);

    // verify a file against "this task"
    const data = path.join(v.lastRun.outDir, "data.jsonl");
    v = await say(`verify my file ${data} against this task`);
    expect(last(v)).toMatch(/^Verified data\.jsonl against demo_ticket_routing\.\n.*status ok/);
    expect(v.lastRun.kind).toBe("verify");
    expect(existsSync(path.join(v.lastRun.outDir, "report.html"))).toBe(true);

    v = await say("verify my file nowhere/mine.jsonl against this task");
    expect(last(v)).toMatch(/^I cannot find the data file nowhere\/mine\.jsonl/);
    v = await say(`cook ${path.join(root, "missing.json")}`);
    expect(last(v)).toMatch(/^I found no task spec/);
    expect(demoTaskSpec(pool, "tickets")).toMatch(/demo_ticket_routing\.json$/);
  }, 180_000);
});
