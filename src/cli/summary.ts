/** Human-readable summaries of a run's report for the terminal. */
import type { Report } from "../verify/report.js";

export function formatGrades(grades: Record<string, number>): string {
  return Object.entries(grades)
    .map(([g, n]) => `${g} ${n}`)
    .join(", ");
}

export function summarizeReport(report: Report, outDir?: string): string {
  const lines = [
    `status   ${report.status}${report.status === "ok" ? "" : `  (${report.reason ?? "see report.json"})`}`,
    `reward   ${report.reward.toFixed(3)}`,
    `records  ${report.records}`,
    `sources  ${report.sources_used.join(", ") || "-"}`,
    `graded   ${report.verifier.sampled} (${formatGrades(report.verifier.grades)})`,
    `leaks    ${report.contamination.contaminated_records} contaminated record(s) at ${report.contamination.ngram}-grams`,
    `attempts ${report.attempts}`,
    `timings  ${Object.entries(report.timings_ms)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}s`)
      .join(", ")}`,
  ];
  if (outDir) lines.push(`artifacts ${outDir}`);
  return lines.join("\n");
}

/** The one-line reason for a non-ok run, for stderr. */
export function failureLine(report: Report): string {
  return `run ended with status '${report.status}' (reward ${report.reward.toFixed(3)})${report.reason ? `: ${report.reason}` : ""}`;
}
