import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { applySettings, cookOutcome, prepareCook } from "./cook.js";
import type { ChatRequest } from "./request.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "dc-chatcook-"));
const spec = path.join(dir, "t.json");
writeFileSync(spec, JSON.stringify({ id: "tiny", instruction: "x", benchmark: { id: "b", path: "b.jsonl" }, sources: [{ id: "a", path: "a.jsonl" }, { id: "b2", path: "b2.jsonl" }] }));
const cookReq = (over: Partial<ChatRequest> = {}): ChatRequest => ({ intent: "cook", text: "", via: "builtin", ...over });

describe("chat cook preparation", () => {
  it("resolves the task and carries settings while the task stays the same", () => {
    expect(prepareCook(cookReq({ task: "t" }), {}, { tasksDir: dir, seed: 3 })).toEqual({ ok: true, taskId: "tiny", taskPath: spec, only: [], seed: 3 });
    expect(prepareCook(cookReq(), { taskPath: spec, only: ["a"], maxRecords: 50 }, { tasksDir: dir, seed: 1 })).toMatchObject({ only: ["a"], maxRecords: 50 });
    expect(prepareCook(cookReq({ allSources: true, seed: 9 }), { taskPath: spec, only: ["a"] }, { tasksDir: dir, seed: 1 })).toMatchObject({ only: [], seed: 9 });
    expect(prepareCook(cookReq({ sources: ["zz"] }), { taskPath: spec }, { tasksDir: dir, seed: 1 })).toEqual({ ok: false, message: "zz is not a source of tiny. Its sources are: a, b2." });
    expect(prepareCook(cookReq(), {}, { tasksDir: dir, seed: 1 })).toMatchObject({ ok: false, message: expect.stringMatching(/^Which task\?/) });
  });

  it("applies settings and says what changed", () => {
    expect(applySettings(cookReq({ intent: "set", sources: ["a"], maxRecords: 10 }), spec)).toEqual({ update: { only: ["a"], maxRecords: 10 }, message: 'OK: the next recipe will use only a, produce at most 10 records. Say "cook" to cook t.json with these settings.' });
    expect(applySettings(cookReq({ intent: "set", allSources: true }), undefined).update).toEqual({ only: [] });
    expect(applySettings(cookReq({ intent: "set", sources: ["q"] }), spec)).toEqual({ update: {}, message: "q is not a source of tiny. Its sources are: a, b2." });
  });

  it("reads the subgraph's final state: rejected, or no report", () => {
    expect(cookOutcome({ approval: { action: "reject" } }, "tiny")).toMatchObject({ lastRun: { kind: "rejected", task: "tiny" }, message: expect.stringMatching(/rejected: nothing was run/) });
    expect(cookOutcome({}, "tiny").message).toBe("The run for tiny ended without a report.");
  });
});
