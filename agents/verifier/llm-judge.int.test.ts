/** The LLM judge over loopback HTTP: grades, the unparsed path, call failures, the concurrency limit. */
import { TrajectoryRecorder } from "../../src/llm/recorder.js";
import { testModelConfig, tinyTask } from "../../src/llm/testing/fixtures.js";
import { OpenAiTestServer } from "../../src/llm/testing/openai-server.js";
import type { JudgeContext, JudgeSample } from "../../src/verify/types.js";
import { verifyDataset } from "../../src/verify/verify.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JudgeUnparsedError, LlmJudge } from "./llm-judge.js";

const { contract, benchmarkExamples, task } = tinyTask();
const ctx: JudgeContext = { contract, benchmarkRecords: benchmarkExamples, instruction: task.spec.instruction };
const sample = (i: number, answer = `2 + ${i} = ${2 + i}\n#### ${2 + i}`): JudgeSample => ({
  index: i,
  line: i + 1,
  messages: [{ role: "user", content: `Sam has 2 marbles and finds ${i} more. How many?` }, { role: "assistant", content: answer }],
  user: `Sam has 2 marbles and finds ${i} more. How many?`,
  assistant: answer,
});

describe("LlmJudge", () => {
  const server = new OpenAiTestServer();
  beforeAll(() => server.start());
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it("grades with the rubric prompt and reads the boxed grade", async () => {
    server.script({ match: /#### 3/, content: "The arithmetic is right and the marker is present.\nGrade: \\boxed{E} Reason: correct and in format" }, { match: /#### 9/, content: "2 + 1 is 3, not 9.\nGrade: \\boxed{C} Reason: wrong sum" });
    const rec = new TrajectoryRecorder();
    const judge = new LlmJudge({ config: testModelConfig(server.url, { agent: "judge" }), recorder: rec, benchmark: { name: "Marbles" } });
    expect(judge.name).toBe("llm:test-model");
    await expect(judge.grade(sample(1), ctx)).resolves.toMatchObject({ grade: "pass", reason: "correct and in format" });
    await expect(judge.grade(sample(1, "2 + 1 = 9\n#### 9"), ctx)).resolves.toMatchObject({ grade: "incorrect", reason: "wrong sum" });
    const system = String(server.chatRequests()[0]!.body!.messages[0]!.content);
    expect(system).toContain("D (task mismatch)");
    expect(rec.records().map((r) => r.agent)).toEqual(["judge", "judge"]);
    expect(judge.stats).toMatchObject({ graded: 2, unparsed: 0, errors: 0 });
  });

  it("asks once more when the reply has no grade, and counts a second miss as unparsed", async () => {
    server.script(
      { match: (c) => c.user.includes("Reply with only the final line") && c.text.includes("#### 3"), content: "Grade: \\boxed{D} Reason: too easy" },
      { match: /Reply with only the final line/, content: "I am not sure." },
      { content: "Looks reasonable overall." },
    );
    const judge = new LlmJudge({ config: testModelConfig(server.url, { agent: "judge" }) });
    await expect(judge.grade(sample(1), ctx)).resolves.toMatchObject({ grade: "task_mismatch" });
    const err = await judge.grade(sample(5), ctx).catch((e) => e);
    expect(err).toBeInstanceOf(JudgeUnparsedError);
    expect(err.message).toMatch(/^unparsed:/);
    expect(judge.stats).toMatchObject({ graded: 1, unparsed: 1, reasked: 2, calls: 4 });
  });

  it("turns call failures into errors the verifier counts, never into grades", async () => {
    server.script({ fault: "http500" });
    const dir = mkdtempSync(path.join(os.tmpdir(), "judge-"));
    const data = path.join(dir, "data.jsonl");
    writeFileSync(data, [1, 2, 3].map((i) => JSON.stringify({ messages: sample(i).messages })).join("\n") + "\n");
    const judge = new LlmJudge({ config: testModelConfig(server.url, { agent: "judge" }) });
    const result = await verifyDataset({ dataPath: data, metaPath: null, contract, benchmarkRecords: benchmarkExamples, judge, samples: 3 });
    expect(result.sampled).toBe(0);
    expect(result.judgeFailures).toHaveLength(3);
    expect(result.judgeFailures![0]!.error).toMatch(/judge call failed \(http_error\)/);
    expect(result.judge).toBe("llm:test-model");
    expect(judge.stats.errors).toBe(3);
  });

  it("grades concurrently but never above its limit", async () => {
    server.script({ content: "fine\nGrade: \\boxed{E} Reason: ok", latencyMs: 60 });
    const judge = new LlmJudge({ config: testModelConfig(server.url, { agent: "judge", concurrency: 3 }) });
    const t0 = Date.now();
    const out = await judge.gradeMany(Array.from({ length: 9 }, (_, i) => sample(i)), ctx);
    const took = Date.now() - t0;
    expect(out.every((v) => "grade" in v && v.grade === "pass")).toBe(true);
    expect(judge.limiter.peak).toBe(3);
    // 9 calls, 3 at a time, 60 ms each: about 3 rounds, far from 9 sequential ones
    expect(took).toBeGreaterThanOrEqual(170);
    expect(took).toBeLessThan(9 * 60);
  });
});
