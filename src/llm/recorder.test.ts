import { mkdtempSync, readFileSync, renameSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { readTrajectory, TrajectoryRecorder } from "./recorder.js";

describe("TrajectoryRecorder", () => {
  it("records each call in order with messages, response, agent, latency; appends to its file", async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "traj-")), "sub", "trajectory.jsonl");
    const rec = new TrajectoryRecorder({ file, meta: { task: "t1" } });
    const model = new FakeListChatModel({ responses: ["first answer", "second answer"] });
    await model.invoke([new SystemMessage("sys"), new HumanMessage("q1")], { callbacks: [rec], metadata: { agent: "planner", call_meta: { attempt: 1 } } });
    await model.invoke([new HumanMessage("q2")], { callbacks: [rec], tags: ["agent:coder"] });
    const r = rec.records();
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ seq: 0, agent: "planner", kind: "chat", status: "ok", messages: [{ role: "system", content: "sys" }, { role: "user", content: "q1" }], response: { role: "assistant", content: "first answer" }, meta: { task: "t1", attempt: 1 } });
    expect(r[1]).toMatchObject({ seq: 1, agent: "coder", response: { content: "second answer" } });
    expect(typeof r[0]!.latencyMs).toBe("number");
    expect(rec.inFlight()).toBe(0);
    expect(readTrajectory(file)).toEqual(r);
    expect(rec.toJsonl().trim().split("\n")).toHaveLength(2);
    expect(readFileSync(file, "utf8")).toBe(rec.toJsonl());
  });

  it("readTrajectory reads a file again when it grew, and follows it through a rename", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "traj-"));
    const rec = new TrajectoryRecorder({ file: path.join(dir, "work", "trajectory.jsonl") });
    rec.note({ agent: "judge", kind: "bridge", status: "refused", messages: [{ role: "user", content: "a" }] });
    const first = readTrajectory(path.join(dir, "work", "trajectory.jsonl"));
    expect(first).toHaveLength(1);
    first.pop(); // callers get their own array
    rec.note({ agent: "judge", kind: "bridge", status: "refused", messages: [{ role: "user", content: "b" }] });
    expect(readTrajectory(path.join(dir, "work", "trajectory.jsonl")).map((r) => r.messages[0]!.content)).toEqual(["a", "b"]);
    renameSync(path.join(dir, "work"), path.join(dir, "published"));
    expect(readTrajectory(path.join(dir, "published", "trajectory.jsonl")).map((r) => r.messages[0]!.content)).toEqual(["a", "b"]);
    expect(readTrajectory(path.join(dir, "work", "trajectory.jsonl"))).toEqual([]);
  });

  it("records failed calls and notes", async () => {
    const rec = new TrajectoryRecorder({ defaultAgent: "judge" });
    rec.handleChatModelStart({ lc: 1, type: "not_implemented", id: ["x"] }, [[new HumanMessage("hi")]], "run-1");
    rec.handleLLMError(new Error("HTTP 500"), "run-1");
    rec.note({ agent: "synthesis", kind: "bridge", status: "refused", messages: [{ role: "user", content: "p" }], error: "budget" });
    expect(rec.records().map((r) => [r.agent, r.status, r.error])).toEqual([
      ["judge", "error", "Error: HTTP 500"],
      ["synthesis", "refused", "budget"],
    ]);
  });
});
