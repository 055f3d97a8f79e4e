/**
 * The LLM policy through the whole recipe graph, over real HTTP against the loopback
 * OpenAI-compatible server:
 * - `datachef cook` (a real CLI process) on the shared GSM8K task with DATACHEF_MODEL set: an ok
 *   report whose policy is the model, trajectory.jsonl, and LangSmith runs per agent posted to a
 *   loopback capture server with the task id in their metadata;
 * - each fault ending in a clear status (cooks in this process, on a two-source task over the
 *   shared data): HTTP 500, a timeout, malformed JSON, a plan naming a missing source, code with
 *   a syntax error (repaired), code reading the benchmark, a judge reply with no grade;
 * - chef mode, and generate_with_llm inside a cooked recipe under the spec's call budget.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cookTask } from "../cli/cook.js";
import { ProgressDisplay } from "../cli/progress.js";
import type { Report } from "../verify/report.js";
import { readTrajectory } from "./recorder.js";
import { LangSmithCaptureServer } from "./testing/langsmith-capture.js";
import { OpenAiTestServer, type ScriptedReply } from "./testing/openai-server.js";
import { codeBlocks, isCoderCall, isJudgeCall, isPlannerCall, isRepairCall, qaPlan, qaRecipe, QA_CHECK, wellBehavedPolicy } from "./testing/scripted-policy.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SHARED = path.resolve(REPO, "../shared");
const haveShared = existsSync(path.join(SHARED, "tasks", "gsm8k.json"));
if (!haveShared) console.warn(`llm-cook.int.test: ${SHARED} not found; skipping the end-to-end LLM cook tests`);
const d = haveShared ? describe : describe.skip;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(REPO, "bin", "datachef.js"), ...args], { cwd: REPO, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

d("datachef cook with DATACHEF_MODEL over loopback HTTP (CLI process)", () => {
  const server = new OpenAiTestServer({ replies: wellBehavedPolicy("gsm8k_train", 300) });
  const langsmith = new LangSmithCaptureServer();
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), "llm-cook-")), "run");
  let run: CliRun;
  let report: Report & Record<string, any>;

  beforeAll(async () => {
    await server.start();
    await langsmith.start();
    run = await runCli(["cook", path.join(SHARED, "tasks", "gsm8k.json"), "--out", out, "--samples", "6", "--json"], {
      DATACHEF_MODEL: "test-model",
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: "test-key",
      // the planner's structured output as a forced tool call, the coder streamed (SSE)
      DATACHEF_PLANNER_STRUCTURED_METHOD: "functionCalling",
      DATACHEF_CODER_STREAMING: "true",
      LANGSMITH_TRACING: "true",
      LANGSMITH_API_KEY: "test",
      LANGSMITH_ENDPOINT: langsmith.url,
      LANGSMITH_PROJECT: "datachef-test",
    });
    report = JSON.parse(run.stdout);
  }, 240_000);
  afterAll(async () => {
    await server.close();
    await langsmith.close();
  });

  it("produces an ok report whose policy is the model", () => {
    expect(run.code).toBe(0);
    expect(report.status).toBe("ok");
    expect(report.policy).toBe("test-model");
    expect(report.verifier.judge).toBe("llm:test-model");
    expect(report.verifier.sampled).toBe(6);
    expect(report.verifier.grades.pass).toBe(6);
    expect(report.verifier.unparsed).toBe(0);
    expect(report.records).toBe(300);
    expect(report.policy_mode).toBe("planner_coder");
    expect(report.provenance).toMatchObject({ "plan.md": "llm:test-model (planner)", "recipe.py": "llm:test-model (coder)", "check.py": "llm:test-model (coder)", "report.json": "judge llm:test-model" });
    expect(report.llm_usage.planner.calls).toBe(1);
  });

  it("went through the planner (tool call), the coder (streamed) and the judge over HTTP", () => {
    const shapes = server.chatRequests().map((r) => `${r.reply}:${r.shape}:${r.body?.stream ? "sse" : "json"}`);
    expect(shapes[0]).toBe("plan:tool_call:json");
    expect(shapes[1]).toBe("code:text:sse");
    expect(shapes.filter((s) => s === "judge:text:json")).toHaveLength(6);
    expect(readFileSync(path.join(out, "recipe.py"), "utf8")).toBe(qaRecipe("gsm8k_train", 300) + "\n");
    expect(readFileSync(path.join(out, "plan.md"), "utf8")).toContain('"dataset_id":"gsm8k_train"');
  });

  it("writes every call, structured ones included, to trajectory.jsonl in order", () => {
    const calls = readTrajectory(path.join(out, "trajectory.jsonl"));
    expect(calls.map((c) => c.agent)).toEqual(["planner", "coder", ...Array(6).fill("judge")]);
    expect(calls.map((c) => c.seq)).toEqual(calls.map((_, i) => i));
    expect(calls[0]!.response!.tool_calls![0]!.args).toMatchObject({ training_data: [{ dataset_id: "gsm8k_train" }] });
    expect(calls[0]!.messages[0]!.role).toBe("system");
    for (const c of calls) {
      expect(c.status).toBe("ok");
      expect(c.model).toBe("test-model");
      expect(c.usage!.total_tokens).toBeGreaterThan(0);
      expect(c.latencyMs).toBeGreaterThanOrEqual(0);
    }
  });

  it("posts LangSmith runs named after each agent, with the task id in their metadata", () => {
    const names = langsmith.runNames();
    for (const agent of ["planner", "coder", "interpreter", "verifier", "judge"]) {
      const runs = langsmith.runs().filter((r) => r.name === agent);
      expect(runs.length).toBeGreaterThan(0);
      expect(runs.some((r) => r.metadata.task_id === "gsm8k" && r.metadata.policy === "test-model" && r.metadata.seed === 0)).toBe(true);
    }
    expect(names).toContain("recipe");
    expect(langsmith.requests.some((r) => r.path.endsWith("/runs/multipart"))).toBe(true);
  });
});

d("LLM policy faults end in clear statuses (cooks in this process)", () => {
  const server = new OpenAiTestServer();
  const dir = mkdtempSync(path.join(os.tmpdir(), "llm-faults-"));
  const taskPath = path.join(dir, "math-small.json");
  const saved: Record<string, string | undefined> = {};
  const ENV: Record<string, string> = {
    DATACHEF_MODEL: "test-model",
    OPENAI_API_KEY: "test-key",
    DATACHEF_MAX_RETRIES: "0",
    DATACHEF_PLANNER_TIMEOUT_MS: "800",
  };
  let n = 0;

  beforeAll(async () => {
    await server.start();
    ENV.OPENAI_BASE_URL = server.url;
    for (const [k, v] of Object.entries(ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    const ds = (p: string) => path.join(SHARED, "datasets", p);
    writeFileSync(
      taskPath,
      JSON.stringify({
        id: "math_small",
        instruction: "Adapt a base LLM to solve grade-school math word problems, reasoning step by step and ending with a final line '#### <number>'.",
        benchmark: { id: "gsm8k_test", name: "GSM8K", path: ds("math/gsm8k_test.jsonl"), metric: "accuracy of the final number after '####'" },
        sources: [
          { id: "gsm8k_train", path: ds("math/gsm8k_train.jsonl"), description: "GSM8K training split", license: "MIT" },
          { id: "svamp", path: ds("math/svamp.jsonl"), description: "SVAMP word problems", license: "MIT" },
        ],
        budget: { max_records: 300, llm_calls: 3 },
      }),
    );
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await server.close();
  });

  async function cook(replies: ScriptedReply[], extra: Partial<Parameters<typeof cookTask>[1]> = {}) {
    server.reset(...replies);
    const out = path.join(dir, `run-${++n}`);
    const t0 = Date.now();
    const { report } = await cookTask(taskPath, { out, seed: 0, samples: 4, policy: "builtin", temperature: 1, sandbox: "local", maxAttempts: 2, ...extra }, new ProgressDisplay(process.stderr, true));
    return { report: report as Report & Record<string, any>, out, ms: Date.now() - t0 };
  }
  const good = () => wellBehavedPolicy("gsm8k_train", 200);
  const judgeOk: ScriptedReply = good().find((r) => r.name === "judge")!;

  it.each([
    ["HTTP 500", { fault: "http500" } as const, /planner failed \(http_error\): .*HTTP 500/],
    ["a timeout", { fault: "hang" } as const, /planner failed \(timeout\)/],
    ["malformed JSON", { fault: "malformed" } as const, /planner failed \(malformed_response\)/],
  ])("%s from the model server ends in execution_error with the reason", async (_name, fault, reason) => {
    const { report, ms } = await cook([{ match: isPlannerCall, ...fault }]);
    expect(report.status).toBe("execution_error");
    expect(report.reason).toMatch(reason);
    expect(report.reward).toBeLessThan(0);
    expect(report.attempts).toBe(0);
    // the timeout case: one 800 ms request, no endless wait
    expect(ms).toBeLessThan(60_000);
  });

  it("a plan naming a source that does not exist is re-asked, then reported", async () => {
    const ghost = { ...qaPlan("gsm8k_train"), training_data: [{ dataset_id: "gsm8k_test_copy", split: "train", sample_num: 100, reason: "x" }] };
    const { report, out } = await cook([{ match: isPlannerCall, json: ghost }]);
    expect(report.status).toBe("execution_error");
    expect(report.reason).toMatch(/planner failed \(invalid_output\).*'gsm8k_test_copy' is not a source of this task/);
    expect(server.chatRequests()).toHaveLength(3);
    expect(readTrajectory(path.join(out, "trajectory.jsonl")).map((c) => c.agent)).toEqual(["planner", "planner", "planner"]);
  });

  it("code with a syntax error is repaired by the LLM coder", async () => {
    const broken = qaRecipe("gsm8k_train", 200).replace('r["answer"]', 'r["answer"');
    const { report } = await cook([
      { name: "plan", match: isPlannerCall, json: qaPlan("gsm8k_train", 200) },
      { name: "code", match: isCoderCall, content: codeBlocks(broken) },
      { name: "repair", match: isRepairCall, content: codeBlocks(qaRecipe("gsm8k_train", 200), QA_CHECK, "closed the bracket of r['answer']") },
      judgeOk,
    ]);
    expect(report.status).toBe("ok");
    expect(report.attempts).toBe(2);
    expect(report.attempts_detail![0]!.error).toMatch(/^syntax: /);
    expect(report.attempts_detail![1]!.fix).toBe("closed the bracket of r['answer']");
    const repair = server.chatRequests().find((r) => r.reply === "repair")!;
    expect(JSON.stringify(repair.body)).toContain("Error kind: syntax");
  });

  it("code that reads the benchmark is refused before it runs, and reported", async () => {
    const leaky = qaRecipe("gsm8k_train", 200).replace('dc.iter_source("gsm8k_train")', 'dc.iter_source("gsm8k_test")');
    const { report } = await cook([
      { match: isPlannerCall, json: qaPlan("gsm8k_train", 200) },
      { match: isCoderCall, content: codeBlocks(leaky) },
    ]);
    expect(report.status).toBe("execution_error");
    expect(report.reason).toMatch(/coder failed \(invalid_output\).*must never read the benchmark/);
    expect(report.attempts).toBe(0);
  });

  it("judge replies with no grade are asked again, then counted as unparsed, never scored", async () => {
    const { report } = await cook([...good().filter((r) => r.name !== "judge"), { match: isJudgeCall, content: "This looks like a reasonable training example." }]);
    expect(report.status).toBe("ok");
    expect(report.verifier.unparsed).toBe(4);
    expect(report.verifier.sampled).toBe(0);
    expect(report.judge_failures).toHaveLength(4);
    expect(report.judge_failures![0]!.error).toMatch(/^unparsed: /);
    expect(report.reward).toBe(0);
    // each sample: the grading call and one follow-up
    expect(server.chatRequests().filter((r) => isJudgeCallBody(r.body))).toHaveLength(8);
  });

  it("chef mode: one call writes plan and code", async () => {
    process.env.DATACHEF_POLICY_MODE = "chef";
    try {
      const { report, out } = await cook(good());
      expect(report.status).toBe("ok");
      expect(report.policy).toBe("test-model");
      expect(report.policy_mode).toBe("chef");
      expect(report.provenance["plan.md"]).toBe("llm:test-model (chef)");
      expect(report.provenance["recipe.py"]).toBe("llm:test-model (chef)");
      expect(server.chatRequests().filter((r) => r.reply === "chef")).toHaveLength(1);
      expect(server.chatRequests().filter((r) => r.reply === "plan" || r.reply === "code")).toHaveLength(0);
      expect(readTrajectory(path.join(out, "trajectory.jsonl"))[0]!.agent).toBe("chef");
    } finally {
      delete process.env.DATACHEF_POLICY_MODE;
    }
  });

  it("generate_with_llm inside a cooked recipe stays within the spec's budget and is recorded", async () => {
    const recipe = `${qaRecipe("gsm8k_train", 200)}
answers, refused = 0, ""
for i in range(5):
    try:
        dc.generate_with_llm("Rephrase problem %d" % i)
        answers += 1
    except dc.LLMBudgetExceeded as e:
        refused = str(e)
        break
print("LLM", answers, refused)
`;
    const { report, out } = await cook([
      { match: isPlannerCall, json: qaPlan("gsm8k_train", 200) },
      { match: isCoderCall, content: codeBlocks(recipe) },
      { name: "synth", match: /Rephrase problem/, content: "rephrased" },
      judgeOk,
    ]);
    expect(report.status).toBe("ok");
    expect(readFileSync(path.join(out, "attempts", "1", "stdout.txt"), "utf8")).toMatch(/LLM 3 LLM budget exceeded: LLM call budget of this recipe exhausted: 3 call\(s\) allowed/);
    const synth = readTrajectory(path.join(out, "trajectory.jsonl")).filter((c) => c.agent === "synthesis");
    expect(synth.map((c) => c.status)).toEqual(["ok", "ok", "ok", "refused"]);
    expect(report.llm_usage.synthesis).toMatchObject({ calls: 4, refused: 1 });
  });
});

function isJudgeCallBody(body: { messages?: { role: string; content: unknown }[] } | null): boolean {
  return !!body?.messages?.some((m) => m.role === "system" && /Data Verifier of datachef/.test(String(m.content)));
}
