/**
 * report.html of one recipe run: outcome and reward, grade distribution, gates, source mix,
 * length histograms, repair attempts, and a table of every graded sample with its reason.
 * Charts are Vega-Lite rendered to inline SVG at build time; the page needs no network.
 */
import type { LengthSummary, Report, ReportSample } from "../verify/report.js";
import { GRADES } from "../verify/types.js";
import { attemptsChart, GRADE_COLORS, gradeChart, lengthChart, sourceMixChart } from "./charts.js";
import { card, esc, fmt, kvTable, page, panel, pct } from "./html.js";
import { renderChart } from "./vega.js";

const STATUS_TEXT: Record<string, string> = {
  ok: "OK",
  empty: "EMPTY",
  format_error: "FORMAT ERROR",
  contaminated: "CONTAMINATED",
  execution_error: "EXECUTION ERROR",
};

/** Graded samples, worst first (lowest score, then rubric order, then position). */
export function samplesWorstFirst(samples: ReportSample[]): ReportSample[] {
  return [...samples].sort((a, b) => a.score - b.score || GRADES.indexOf(a.grade) - GRADES.indexOf(b.grade) || a.index - b.index);
}

function sampleRow(s: ReportSample, i: number): string {
  const where = s.line !== undefined ? `line ${s.line}` : `record ${s.index}`;
  const notes = s.notes?.length ? `<ul class="notes">${s.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "";
  const system = s.system ? `<h4>system</h4><pre>${esc(s.system)}</pre>` : "";
  const preview = s.user.replace(/\s+/g, " ").slice(0, 90);
  return (
    `<tr class="${esc(s.grade)}"><td class="num">${i + 1}</td>` +
    `<td><span class="badge" style="background:${GRADE_COLORS[s.grade]}">${esc(s.grade)}</span></td>` +
    `<td class="num">${esc(fmt(s.score))}</td><td>${esc(s.reason)}${notes}</td><td>${esc(s.source ?? "")}</td><td class="num">${esc(where)}</td>` +
    `<td><details><summary>${esc(preview)}${s.user.length > 90 ? "…" : ""}</summary>${system}<h4>user</h4><pre>${esc(s.user)}</pre>` +
    `<h4>assistant</h4><pre>${esc(s.assistant)}</pre>${s.truncated ? '<p class="muted">(texts shortened for this page)</p>' : ""}</details></td></tr>`
  );
}

function samplesTable(samples: ReportSample[]): string {
  if (!samples.length) return `<p class="muted">None.</p>`;
  return (
    `<table class="grid" data-table="samples"><thead><tr><th>#</th><th>grade</th><th>score</th><th>reason</th><th>source</th><th>where</th><th>record</th></tr></thead><tbody>` +
    samplesWorstFirst(samples).map(sampleRow).join("") +
    `</tbody></table>`
  );
}

function attemptsTable(r: Report): string {
  return (
    `<table class="kv"><tr><th>#</th><th>result</th><th>records</th><th>time</th><th>error / fix</th></tr>` +
    (r.attempts_detail ?? [])
      .map(
        (a) =>
          `<tr><td>${esc(a.n)}</td><td>${a.ok ? "ok" : `failed${a.failed_phase ? ` (${esc(a.failed_phase)})` : ""}`}</td><td>${esc(a.records ?? "")}</td>` +
          `<td>${a.duration_ms !== undefined ? `${esc(Math.round(a.duration_ms))} ms` : ""}</td><td>${esc(a.error ?? "")}${a.fix ? `<br><i>fix:</i> ${esc(a.fix)}` : ""}</td></tr>`,
      )
      .join("") +
    `</table>`
  );
}

/** Facts about who produced what, when the LLM policy's extras are present. */
function policyFacts(r: Report): [string, string][] {
  const x = r as Report & { models?: Record<string, string>; provenance?: Record<string, string>; policy_mode?: string };
  const out: [string, string][] = [];
  if (x.policy_mode) out.push(["policy mode", esc(x.policy_mode)]);
  if (x.models) out.push(["models", esc(Object.entries(x.models).map(([k, v]) => `${k}: ${v}`).join(", "))]);
  if (x.provenance) out.push(["provenance", esc(Object.entries(x.provenance).map(([k, v]) => `${k} ← ${v}`).join(", "))]);
  return out;
}

export function renderRunReportHtml(r: Report): string {
  const ok = r.status === "ok";
  const statusText = STATUS_TEXT[r.status] ?? r.status;
  const parts: string[] = [];

  parts.push(
    `<h1>${esc(r.task)} <span class="status ${ok ? "ok" : "bad"}">${esc(statusText)}</span></h1>`,
    `<p class="muted">datachef recipe report${r.created_at ? ` · ${esc(r.created_at)}` : ""} · policy ${esc(r.policy)}${r.verifier.judge ? ` · judge ${esc(r.verifier.judge)}` : ""}</p>`,
    `<div class="cards">` +
      card("reward", fmt(r.reward), "reward") +
      card("mean sample score", fmt(r.verifier.mean_score)) +
      card("records", String(r.records)) +
      card("graded samples", String(r.verifier.sampled)) +
      card("attempts", String(r.attempts)) +
      `</div>`,
  );
  if (r.reason) parts.push(`<p class="warn"><b>Why:</b> ${esc(r.reason)}</p>`);
  if (r.warnings?.length) parts.push(`<div class="warn"><b>Warnings</b><ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul></div>`);

  parts.push(`<h2>Score breakdown</h2>`);
  parts.push(r.verifier.sampled ? panel(renderChart(gradeChart(r.verifier.grades), { id: "grades", label: "grade distribution" })) : `<p class="muted">No samples were graded.</p>`);
  parts.push(
    `<p class="muted">Reward = mean sample score when every gate passes; otherwise a penalty${r.penalties ? ` (${esc(Object.entries(r.penalties).map(([k, v]) => `${k} ${v}`).join(", "))})` : ""}.</p>`,
  );

  parts.push(`<h2>Gates</h2>`);
  const c = r.contamination;
  const mal = r.malformed;
  parts.push(
    kvTable([
      ["format", mal ? `${esc(mal.count)} invalid line(s) (${esc(pct(mal.rate, 2))}; tolerated ${esc(pct(mal.max_rate, 2))})` : "not checked"],
      [
        "contamination",
        `${esc(c.contaminated_records)} record(s) share ${esc(c.ngram)}-grams with the benchmark${c.rate !== undefined ? ` (${esc(pct(c.rate, 2))}; threshold ${esc(pct(c.threshold ?? 0, 2))})` : ""}; ${esc(c.removed_records)} removed by the recipe`,
      ],
      ["duplicates", r.duplicate_rate !== undefined ? `${esc(pct(r.duplicate_rate, 2))} exact duplicate conversations${r.duplicate_prompt_rate !== undefined ? `, ${esc(pct(r.duplicate_prompt_rate, 2))} repeated questions` : ""}` : "—"],
    ]),
  );
  if (mal?.examples.length) parts.push(`<h4>invalid lines</h4><ul>${mal.examples.map((e) => `<li>line ${esc(e.line)}: ${esc(e.error)}</li>`).join("")}</ul>`);
  if (c.examples?.length)
    parts.push(`<h4>contaminated records</h4><ul>${c.examples.map((e) => `<li>line ${esc(e.line)}: covers ${esc(pct(e.overlap, 0))} of benchmark item ${esc(e.benchmark_index)}</li>`).join("")}</ul>`);

  parts.push(`<h2>Source mix</h2>`);
  const mix = r.source_mix ?? {};
  parts.push(Object.keys(mix).length ? panel(renderChart(sourceMixChart(mix), { id: "source_mix", label: "records per source" })) : `<p class="muted">No source information (data.meta.jsonl was absent).</p>`);
  if (r.sources_used.length) parts.push(`<p>Sources used: ${r.sources_used.map((s) => `<code>${esc(s)}</code>`).join(", ")}</p>`);

  if (r.lengths) {
    parts.push(`<h2>Lengths${r.lengths.sampled ? " (uniform sample of records)" : ""}</h2>`);
    const caption = (s: LengthSummary) => `<p class="muted caption">mean ${esc(s.mean)}, p50 ${esc(s.p50)}, p95 ${esc(s.p95)}, max ${esc(s.max)} characters · ${esc(s.count)} records</p>`;
    parts.push(
      `<div class="charts">` +
        panel(renderChart(lengthChart("User turns", r.lengths.user), { id: "length_user", label: "user turn lengths" }) + caption(r.lengths.user)) +
        panel(renderChart(lengthChart("Assistant turns", r.lengths.assistant, "#32d583"), { id: "length_assistant", label: "assistant turn lengths" }) + caption(r.lengths.assistant)) +
        `</div>`,
    );
  }

  if (r.attempts_detail?.length) {
    parts.push(`<h2>Attempts</h2>`);
    parts.push(`<div class="charts">${panel(renderChart(attemptsChart(r.attempts_detail), { id: "attempts", label: "execution attempts" }))}${attemptsTable(r)}</div>`);
  }

  const samples = r.samples ?? [];
  parts.push(`<h2>Graded samples (${esc(samples.length)})</h2>`, samplesTable(samples));

  const facts: [string, string][] = [];
  if (r.contract) facts.push(["answer format", esc(r.contract.describe)]);
  facts.push(...policyFacts(r));
  if (r.isolation) facts.push(["sandbox", `${esc(r.isolation.kind)} (${esc(r.isolation.mechanism)})${r.isolation.warnings.length ? `: ${esc(r.isolation.warnings.join("; "))}` : ""}`]);
  facts.push(["timings", esc(Object.entries(r.timings_ms).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(", ") || "—")]);
  if (r.verifier.seed !== undefined) facts.push(["sampling", `seed ${esc(r.verifier.seed)}, ${esc(r.verifier.samples_requested ?? r.verifier.sampled)} requested`]);
  parts.push(`<h2>Run</h2>`, kvTable(facts));

  return page(`${r.task} · ${statusText} · datachef report`, parts.join("\n"));
}
