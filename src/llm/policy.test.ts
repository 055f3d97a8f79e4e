import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { checkLlmConfig, llmContextOf, llmReportExtras, policyLabel, policyModeOf, traceMetadataFor } from "./policy.js";

const env = { DATACHEF_MODEL: "m1", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" };

describe("policy helpers", () => {
  it("labels the policy with the model, or the built-in policy", () => {
    expect(policyLabel({ policy: "builtin" }, {})).toBe("builtin");
    expect(policyLabel({ policy: "/x/policy.json" }, {})).toBe("builtin:policy.json");
    expect(policyLabel({}, env)).toBe("m1");
    expect(policyLabel({}, { DATACHEF_PLANNER_MODEL: "p", DATACHEF_CODER_MODEL: "c" })).toBe("planner=p,coder=c");
    expect(policyLabel({}, { DATACHEF_CODER_MODEL: "c" })).toBe("planner=builtin,coder=c");
    expect(policyLabel({ policyMode: "chef", chefModel: "ch" }, env)).toBe("ch");
  });

  it("reads the policy mode from the context, then the environment", () => {
    expect(policyModeOf({}, {})).toBe("planner_coder");
    expect(policyModeOf({ policyMode: "auto" }, { DATACHEF_POLICY_MODE: "chef" })).toBe("chef");
    expect(policyModeOf({ policyMode: "planner_coder" }, { DATACHEF_POLICY_MODE: "chef" })).toBe("planner_coder");
    expect(() => policyModeOf({}, { DATACHEF_POLICY_MODE: "solo" })).toThrow(/expected one of planner_coder, chef/);
  });

  it("treats empty context values as unset", () => {
    expect(llmContextOf({ model: "", baseUrl: "", judgeModel: "j", temperature: 1 })).toEqual({ judgeModel: "j", temperature: 1 });
    expect(traceMetadataFor("t", { seed: 3, model: "" }, env)).toEqual({ task_id: "t", seed: 3, policy: "m1", policy_mode: "planner_coder", model: "m1" });
  });

  it("fails fast on a malformed value of any agent", () => {
    expect(() => checkLlmConfig({}, { ...env, DATACHEF_SYNTHESIS_CONCURRENCY: "x" })).toThrow(/DATACHEF_SYNTHESIS_CONCURRENCY/);
    expect(() => checkLlmConfig({}, {})).not.toThrow();
  });

  it("derives provenance and usage from the trajectory", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "prov-"));
    const line = (seq: number, agent: string, status = "ok", usage = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }) =>
      JSON.stringify({ seq, agent, kind: "chat", status, model: "m1", startedAt: "", latencyMs: 1, messages: [], usage });
    writeFileSync(path.join(dir, "trajectory.jsonl"), [line(0, "planner"), line(1, "coder", "error"), line(2, "judge")].join("\n") + "\n");
    const extras = llmReportExtras({ ctx: { policy: "builtin" }, workDir: dir, judgeName: "llm:m1", env });
    expect(extras.provenance).toEqual({ "plan.md": "llm:m1 (planner)", "recipe.py": "builtin", "check.py": "builtin", "report.json": "judge llm:m1" });
    expect(extras.models.judge).toBe("m1 @ http://127.0.0.1:9/v1");
    expect(extras.llm_usage!.coder).toEqual({ calls: 1, errors: 1, refused: 0, prompt_tokens: 10, completion_tokens: 2 });
    expect(llmReportExtras({ ctx: {}, env: {} })).toEqual({
      policy_mode: "planner_coder",
      models: { planner: "builtin", coder: "builtin", chef: "builtin", judge: "builtin", synthesis: "builtin" },
      provenance: { "plan.md": "builtin", "recipe.py": "builtin", "check.py": "builtin" },
    });
  });
});
