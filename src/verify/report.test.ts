import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { esc, renderReportHtml } from "./report-html.js";
import { buildReport, ReportSchema, summarizeLengths, writeReportFiles } from "./report.js";
import { EVIL, verifierResult } from "./testing.js";

const result = verifierResult;

describe("buildReport", () => {
  it("fills every required field of contracts.md and the extras", () => {
    const r = buildReport({ task: "gsm8k", result: result(), attempts: 2, policy: "builtin", timings: { plan: 1, execute: 20 }, removedRecords: 4 });
    expect(ReportSchema.safeParse(r).success).toBe(true);
    expect(r).toMatchObject({
      task: "gsm8k",
      status: "ok",
      reward: 0.7,
      records: 3,
      attempts: 2,
      policy: "builtin",
      sources_used: [EVIL, "gsm8k_train"].sort(),
      verifier: { sampled: 2, mean_score: 0.7, grades: { pass: 1, task_mismatch: 1 }, judge: "builtin-rules", seed: 7, samples_requested: 100 },
      contamination: { ngram: 13, contaminated_records: 0, removed_records: 4 },
      timings_ms: { plan: 1, execute: 20, verify: 10 },
      duplicate_rate: 0,
      valid_records: 3,
    });
    expect(r.samples![1]!.truncated).toBe(true);
    expect(r.samples![1]!.user.length).toBeLessThan(4100);
    expect(r.lengths!.user).toMatchObject({ count: 3, max: 5000 });
  });

  it("reports an execution error with its penalty and the attempts", () => {
    const r = buildReport({
      task: "mbpp",
      status: "execution_error",
      reason: "recipe.py raised KeyError: 'code'",
      attempts: [
        { n: 1, ok: false, failedPhase: "recipe", error: "KeyError: 'code'", durationMs: 120 },
        { n: 2, ok: false, failedPhase: "check", error: "AssertionError", fix: "renamed the field", durationMs: 90 },
      ],
      sourcesUsed: ["mbpp_train"],
    });
    expect(r).toMatchObject({ status: "execution_error", reward: -1, records: 0, attempts: 2, sources_used: ["mbpp_train"], verifier: { sampled: 0 } });
    expect(r.attempts_detail![1]).toMatchObject({ n: 2, failed_phase: "check", fix: "renamed the field", duration_ms: 90 });
  });

  it("uses the gate penalty for a failed gate", () => {
    const r = buildReport({ task: "t", result: result({ status: "format_error", reward: -0.5, reason: "1 of 3 lines are not chat records" }) });
    expect(r).toMatchObject({ status: "format_error", reward: -0.5, reason: "1 of 3 lines are not chat records" });
  });
});

describe("ReportSchema", () => {
  it("rejects reports missing required fields or with unknown statuses", () => {
    const good = buildReport({ task: "t", result: result() });
    const { verifier: _v, ...noVerifier } = good;
    expect(ReportSchema.safeParse(noVerifier).success).toBe(false);
    expect(ReportSchema.safeParse({ ...good, status: "fine" }).success).toBe(false);
    expect(ReportSchema.safeParse({ ...good, future_field: 1 }).success).toBe(true);
  });
});

describe("summarizeLengths", () => {
  it("bins lengths and keeps every value in some bin", () => {
    const s = summarizeLengths([1, 2, 3, 10, 100, 1000], 5);
    expect(s.histogram.counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(s.histogram.edges).toHaveLength(6);
    expect(s).toMatchObject({ count: 6, max: 1000 });
    expect(summarizeLengths([]).count).toBe(0);
  });
});

describe("report.html", () => {
  it("escapes every text coming from data", () => {
    const html = renderReportHtml(buildReport({ task: EVIL, result: result(), attempts: [{ n: 1, ok: false, error: EVIL }] }));
    expect(html).not.toContain("<script>");
    expect(html).not.toContain(`"x"`);
    expect(html).toContain(esc(EVIL));
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<link|src=|https?:\/\//);
  });
  it("esc covers the five HTML specials", () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });
});

describe("writeReportFiles", () => {
  it("writes report.json and report.html atomically, leaving no temp files", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "dc-report-"));
    try {
      const report = buildReport({ task: "gsm8k", result: result() });
      const out = writeReportFiles(path.join(dir, "run"), report);
      expect(JSON.parse(readFileSync(out.json, "utf8"))).toEqual(report);
      expect(readFileSync(out.html, "utf8")).toMatch(/^<!doctype html>/);
      expect(readdirSync(path.join(dir, "run")).sort()).toEqual(["report.html", "report.json"]);
      expect(() => writeReportFiles(dir, { ...report, reward: "high" } as never)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
