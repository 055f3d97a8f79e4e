/** The LLM request parser over loopback HTTP, and the chat graph using it when a model is set. */
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { testModelConfig } from "../../src/llm/testing/fixtures.js";
import { OpenAiTestServer } from "../../src/llm/testing/openai-server.js";
import { chatContext, chatGraphBuilder } from "../../graphs/chat.js";
import { parseRequestLlm } from "./llm-parse.js";

const hints = { sources: ["fpb_lowagree", "alpaca_5k"], taskIds: ["fpb"] };

describe("LLM request parser", () => {
  const server = new OpenAiTestServer();
  beforeAll(() => server.start());
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it("asks for the structured request and takes the model's reading", async () => {
    server.script({ json: { intent: "set", sources: ["fpb_lowagree", "alpaca_5k"], maxRecords: 2000 } });
    const out = await parseRequestLlm({ message: "stick to the low-agreement phrasebank and alpaca, ~2k rows", hints, currentTask: "/t/fpb.json", tasksDir: "/t", config: testModelConfig(server.url) });
    expect(out.fallback).toBeUndefined();
    expect(out.request).toMatchObject({ intent: "set", sources: ["fpb_lowagree", "alpaca_5k"], maxRecords: 2000, via: "llm" });
    const body = server.chatRequests()[0]!.body!;
    expect(body.response_format?.type).toBe("json_schema");
    expect(String(body.messages[0]!.content)).toContain("request parser of datachef");
    expect(String(body.messages.at(-1)!.content)).toContain("Its sources: fpb_lowagree, alpaca_5k");
  });

  it("retries once with the validation error, then falls back to the built-in parser", async () => {
    server.script({ json: { intent: "dance" } });
    const out = await parseRequestLlm({ message: "cook tasks/fpb.json", hints, config: testModelConfig(server.url) });
    expect(server.chatRequests()).toHaveLength(2);
    expect(String(server.chatRequests()[1]!.body!.messages.at(-1)!.content)).toMatch(/not valid/);
    expect(out.fallback).toMatch(/did not match/);
    expect(out.request).toMatchObject({ intent: "cook", task: "tasks/fpb.json", via: "builtin" });
  });

  it("a failing model server falls back at once", async () => {
    server.script({ fault: "http500" });
    const out = await parseRequestLlm({ message: "why did you drop alpaca_5k?", hints, config: testModelConfig(server.url) });
    expect(out.fallback).toMatch(/http_error/);
    expect(out.request).toMatchObject({ intent: "explain", source: "alpaca_5k" });
  });

  it("the chat graph parses with the configured model", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "datachef-chat-llm-"));
    mkdirSync(path.join(dir, "tasks"));
    writeFileSync(
      path.join(dir, "tasks", "t.json"),
      JSON.stringify({ id: "tiny", instruction: "x", benchmark: { id: "b", path: "b.jsonl" }, sources: [{ id: "s1", path: "s1.jsonl" }] }),
    );
    server.script({ json: { intent: "list_tasks", dir: path.join(dir, "tasks") } });
    const graph = chatGraphBuilder.compile({ checkpointer: new MemorySaver(), name: "chat" });
    const out = await graph.invoke(
      { messages: [new HumanMessage("anything to cook over there?")] },
      { configurable: { thread_id: "llm" }, context: chatContext({ model: "test-model", baseUrl: server.url }) },
    );
    expect(out.request).toMatchObject({ intent: "list_tasks", via: "llm" });
    expect(String(out.messages.at(-1)!.content)).toMatch(/1 task spec\(s\) in .*\n(.*\n)*.*tiny/);
  });
});
