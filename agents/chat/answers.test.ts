import type { Plan } from "../planner/plan.js";
import type { Report } from "../../src/verify/report.js";
import { explainSource, helpText, notUnderstood, reasonKind, runFailureReasons, runSummary, topFailureReasons } from "./answers.js";

const plan: Plan = {
  training_data: [{ dataset_id: "fpb_lowagree", split: "train", sample_num: 1800, reason: "selected (p=0.91); relevance 0.62" }],
  rejected: [{ dataset_id: "alpaca_5k", reason: "not selected (p=0.08): relevance to the benchmark examples only 0.05" }],
  workflow: "",
  operations: { dedup_exact: true, dedup_near: false, near_threshold: 0.85, filter_outliers: false, outlier_z: 3, decontaminate: true, min_answer_chars: 1 },
};

function sample(grade: "pass" | "incorrect" | "invalid" | "task_mismatch", reason: string) {
  return { index: 0, grade, score: grade === "pass" ? 1 : 0, reason, user: "u", assistant: "a" };
}

const report = {
  task: "fpb",
  status: "ok",
  reward: 0.62,
  records: 1800,
  attempts: 2,
  policy: "builtin",
  sources_used: ["fpb_lowagree"],
  verifier: { sampled: 6, mean_score: 0.62, grades: { invalid: 1, format_error: 0, incorrect: 3, task_mismatch: 0, pass: 2 } },
  contamination: { ngram: 13, contaminated_records: 0, removed_records: 0 },
  timings_ms: {},
  samples: [
    sample("incorrect", "arithmetic error: 3 * 11 = 30, but it is 33"),
    sample("incorrect", "arithmetic error: 6 * 22 = 139, but it is 132"),
    sample("invalid", "the answer is empty"),
    sample("incorrect", "label 'negative' does not match the reference 'neutral'"),
    sample("pass", "fits"),
    sample("pass", "fits"),
  ],
} as unknown as Report;

describe("chat answers", () => {
  it("explains a dropped source from the plan's own reason, and a used one", () => {
    expect(explainSource(plan, "alpaca_5k", "fpb")).toBe("I dropped alpaca_5k from fpb: not selected (p=0.08): relevance to the benchmark examples only 0.05.");
    expect(explainSource(plan, "FPB_LOWAGREE")).toMatch(/^I did not drop fpb_lowagree: the plan uses 1800 records/);
    expect(explainSource(plan, "nope", "fpb")).toBe("nope is not a source of fpb. Its sources are: fpb_lowagree, alpaca_5k.");
    expect(explainSource(undefined, "x")).toMatch(/no plan to explain yet/);
  });

  it("groups failure reasons by kind, most common first", () => {
    expect(reasonKind("arithmetic error: 3 * 11 = 30, but it is 33")).toBe("arithmetic error");
    expect(reasonKind("final answer 154 appears nowhere")).toBe("final answer N appears nowhere");
    const top = topFailureReasons(report.samples, 3);
    expect(top.map((t) => [t.reason, t.count])).toEqual([
      ["arithmetic error", 2],
      ["the answer is empty", 1],
      ["label … does not match the reference …", 1],
    ]);
    expect(runFailureReasons(report)).toHaveLength(3);
    expect(runFailureReasons({ ...report, samples: [], status: "execution_error", reason: "missing_field: q", attempts_detail: [{ n: 1, ok: false, error: "missing_field: q" }, { n: 2, ok: false, error: "timeout" }] } as Report)).toEqual([
      "missing_field: q",
      "attempt 2: timeout",
    ]);
  });

  it("sums a run up with reward, grades, artifacts, top reasons and dropped sources", () => {
    const text = runSummary(report, { outDir: "/runs/fpb-1", plan, kind: "cook" });
    expect(text).toMatch(/fpb: status ok, reward 0\.620/);
    expect(text).toContain("6 graded: invalid 1, incorrect 3, pass 2");
    expect(text).toContain("Artifacts: /runs/fpb-1 (report.html");
    expect(text).toMatch(/1\. arithmetic error — 2× incorrect/);
    expect(text).toContain('Dropped sources: alpaca_5k (ask "why did you drop alpaca_5k?")');
  });

  it("an unparseable request gets the list of what the chat can do", () => {
    const t = notUnderstood("make me a sandwich");
    expect(t).toMatch(/^I did not understand "make me a sandwich"/);
    expect(t).toContain(helpText());
    expect(t).toContain("verify my file data/mine.jsonl against this task");
  });
});
