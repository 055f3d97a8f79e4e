import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { GraphInterrupt } from "@langchain/langgraph";
import { chatContext, effectiveContext, guarded, routeRequest } from "./chat.js";
import { describeRecipeUpdate, lastUserText } from "../agents/chat/state.js";
import type { ChatRequest } from "../agents/chat/request.js";

const req = (intent: ChatRequest["intent"]): { request: ChatRequest } => ({ request: { intent, text: "", via: "builtin" } });

describe("chat graph wiring", () => {
  it("routes every intent to its node; anything else gets a reply", () => {
    expect(routeRequest(req("list_tasks"))).toBe("list_tasks");
    expect(routeRequest(req("set"))).toBe("settings");
    expect(routeRequest(req("cook"))).toBe("cook");
    expect(routeRequest(req("explain"))).toBe("explain");
    expect(routeRequest(req("verify"))).toBe("verify_file");
    for (const i of ["help", "approval", "unknown"] as const) expect(routeRequest(req(i))).toBe("reply");
    expect(routeRequest({ request: undefined })).toBe("reply");
  });

  it("state overrides of the run context win; the chat asks for approval by default", () => {
    const ctx = chatContext({ seed: 1, samples: 100 });
    expect(ctx.autoApprove).toBe(false);
    expect(ctx.tasksDir).toBe(".");
    expect(effectiveContext({ seed: 5, samples: 20, policy: undefined, model: "m" }, ctx)).toMatchObject({ seed: 5, samples: 20, policy: "builtin", model: "m" });
    expect(effectiveContext({}, ctx)).toMatchObject({ seed: 1, samples: 100 });
  });

  it("reads the last human message and describes recipe-node updates in one line", () => {
    expect(lastUserText([new HumanMessage("first"), new AIMessage("reply"), new HumanMessage(" second "), new AIMessage("r2")])).toBe("second");
    expect(lastUserText([])).toBe("");
    const plan = { training_data: [{ dataset_id: "a" }], rejected: [{ dataset_id: "b" }, { dataset_id: "c" }] };
    expect(describeRecipeUpdate("plan", { recipePlan: plan })).toBe("1 source(s) chosen (a), 2 dropped");
    expect(describeRecipeUpdate("execute", { attempts: [{ n: 2, ok: false, error: { kind: "missing_field", message: "q" } }] })).toBe("attempt 2 failed (missing_field: q)");
    expect(describeRecipeUpdate("execute", { attempts: [{ n: 1, ok: true, records: 12 }] })).toBe("attempt 1 ok, 12 records");
    expect(describeRecipeUpdate("approve", { approval: { action: "edit", sources: ["a"] } })).toBe("re-planning with a");
    expect(describeRecipeUpdate("verify", { report: { status: "ok", reward: 0.5 } })).toBe("status ok, reward 0.500");
    expect(describeRecipeUpdate("somewhere", null)).toBe("done");
  });

  it("turns unexpected errors into a one-line reply, but lets interrupts through", async () => {
    const boom = guarded(() => {
      throw new Error("disk full\n    at somewhere (x.ts:1:1)");
    });
    const out = (await boom({} as never, {})) as { messages: { content: string }[] };
    expect(out.messages[0]!.content).toBe('Something went wrong: disk full. Nothing else was changed; say "help" for what I can do.');
    const pause = guarded(() => {
      throw new GraphInterrupt([]);
    });
    await expect(pause({} as never, {})).rejects.toBeInstanceOf(GraphInterrupt);
  });
});
