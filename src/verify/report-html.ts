/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no external resources)
 * for people: outcome, score breakdown, gates, source mix, lengths, every graded sample with its
 * reason. Every piece of text from data or reports goes through `esc`.
 */
import type { LengthSummary, Report, ReportSample } from "./report.js";
import { GRADE_SCORES, GRADES, type Grade } from "./types.js";

export function esc(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const GRADE_COLORS: Record<Grade, string> = {
  invalid: "#b42318",
  format_error: "#c4320a",
  incorrect: "#b54708",
  task_mismatch: "#7a5af8",
  pass: "#027a48",
};

const STATUS_TEXT: Record<string, string> = {
  ok: "OK",
  empty: "EMPTY",
  format_error: "FORMAT ERROR",
  contaminated: "CONTAMINATED",
  execution_error: "EXECUTION ERROR",
};

function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** Horizontal bars: label, value, optional color per row. */
function barChart(rows: { label: string; value: number; color?: string; note?: string }[], width = 560): string {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowH = 24;
  const labelW = 170;
  const barMax = width - labelW - 80;
  const h = rows.length * rowH + 4;
  const bars = rows
    .map((r, i) => {
      const y = i * rowH + 2;
      const w = Math.round((r.value / max) * barMax);
      return (
        `<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${esc(r.label)}</text>` +
        `<rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 8}" fill="${esc(r.color ?? "#2e90fa")}" rx="2"/>` +
        `<text x="${labelW + w + 6}" y="${y + 16}">${esc(r.note ?? String(r.value))}</text>`
      );
    })
    .join("");
  return `<svg class="chart" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" role="img">${bars}</svg>`;
}

/** Vertical histogram of a length summary. */
function histogram(title: string, s: LengthSummary, width = 420, height = 140): string {
  const { edges, counts } = s.histogram;
  const max = Math.max(1, ...counts);
  const bw = (width - 40) / Math.max(1, counts.length);
  const plotH = height - 36;
  const bars = counts
    .map((c, i) => {
      const h = Math.round((c / max) * plotH);
      const last = i === counts.length - 1;
      const label = `${edges[i]}–${last ? "" : edges[i + 1]} chars: ${c}`;
      return `<rect x="${30 + i * bw}" y="${10 + plotH - h}" width="${Math.max(1, bw - 2)}" height="${h}" fill="#53b1fd"><title>${esc(label)}</title></rect>`;
    })
    .join("");
  const axis = `<text x="30" y="${height - 8}">0</text><text x="${width - 10}" y="${height - 8}" text-anchor="end">${esc(edges.at(-2) ?? 0)}+ chars</text>`;
  return (
    `<figure><figcaption>${esc(title)}: mean ${esc(s.mean)}, p50 ${esc(s.p50)}, p95 ${esc(s.p95)}, max ${esc(s.max)} chars (${esc(s.count)} records)</figcaption>` +
    `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">${bars}${axis}</svg></figure>`
  );
}

function table(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join("")}</table>`;
}

function sampleBlock(s: ReportSample): string {
  const notes = s.notes?.length ? `<ul class="notes">${s.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "";
  const where = [s.line !== undefined ? `line ${s.line}` : `record ${s.index}`, s.source ? `source ${s.source}` : ""].filter(Boolean).join(" · ");
  const system = s.system ? `<h4>system</h4><pre>${esc(s.system)}</pre>` : "";
  return (
    `<details class="sample ${esc(s.grade)}"><summary><span class="badge" style="background:${GRADE_COLORS[s.grade]}">${esc(s.grade)}</span> ` +
    `<span class="score">${esc(fmt(s.score))}</span> ${esc(s.reason)} <span class="where">${esc(where)}</span></summary>${notes}` +
    `${system}<h4>user</h4><pre>${esc(s.user)}</pre><h4>assistant</h4><pre>${esc(s.assistant)}</pre>${s.truncated ? '<p class="muted">(texts shortened for this page)</p>' : ""}</details>`
  );
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#101828;background:#f9fafb}
main{max-width:1000px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #eaecf0;padding-bottom:4px}
h4{margin:10px 0 2px;font-size:12px;text-transform:uppercase;color:#667085}
.status{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.status.ok{background:#027a48}.status.bad{background:#b42318}
.big{font-size:28px;font-weight:700}.muted{color:#667085}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}.card{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:10px 14px;min-width:120px}
.card .label{font-size:12px;color:#667085}.warn{background:#fffaeb;border:1px solid #fedf89;border-radius:8px;padding:8px 12px}
table.kv{border-collapse:collapse;background:#fff}table.kv th,table.kv td{border:1px solid #eaecf0;padding:4px 8px;text-align:left;vertical-align:top}
table.kv th{background:#f2f4f7;font-weight:600;white-space:nowrap}
.chart text{font-size:12px;fill:#344054}figure{margin:8px 0;display:inline-block;vertical-align:top}figcaption{font-size:12px;color:#475467}
details.sample{background:#fff;border:1px solid #eaecf0;border-left:4px solid #d0d5dd;border-radius:6px;margin:6px 0;padding:6px 10px}
details.sample.pass{border-left-color:#027a48}details.sample.task_mismatch{border-left-color:#7a5af8}
details.sample.invalid,details.sample.format_error,details.sample.incorrect{border-left-color:#b42318}
summary{cursor:pointer}.badge{color:#fff;border-radius:4px;padding:0 6px;font-size:12px}.score{font-weight:600;margin:0 4px}
.where{color:#98a2b3;font-size:12px;margin-left:6px}
pre{white-space:pre-wrap;word-break:break-word;background:#f8f9fc;border:1px solid #eaecf0;border-radius:4px;padding:8px;max-height:360px;overflow:auto;margin:0}
ul.notes{margin:6px 0;color:#475467}
`;

export function renderReportHtml(r: Report): string {
  const ok = r.status === "ok";
  const grades = r.verifier.grades;
  const gradeRows = GRADES.map((g) => ({
    label: `${g} (${GRADE_SCORES[g]})`,
    value: grades[g],
    color: GRADE_COLORS[g],
    note: `${grades[g]}${r.verifier.sampled ? ` · ${pct(grades[g] / r.verifier.sampled, 0)}` : ""}`,
  }));
  const mix = Object.entries(r.source_mix ?? {}).sort((a, b) => b[1] - a[1]);
  const mixTotal = mix.reduce((s, [, n]) => s + n, 0);
  const samples = [...(r.samples ?? [])].sort((a, b) => a.score - b.score || GRADES.indexOf(a.grade) - GRADES.indexOf(b.grade) || a.index - b.index);
  const c = r.contamination;
  const parts: string[] = [];

  parts.push(
    `<h1>${esc(r.task)} <span class="status ${ok ? "ok" : "bad"}">${esc(STATUS_TEXT[r.status] ?? r.status)}</span></h1>`,
    `<p class="muted">datachef recipe report${r.created_at ? ` · ${esc(r.created_at)}` : ""} · policy ${esc(r.policy)}${r.verifier.judge ? ` · judge ${esc(r.verifier.judge)}` : ""}</p>`,
    `<div class="cards">` +
      `<div class="card"><div class="label">reward</div><div class="big">${esc(fmt(r.reward))}</div></div>` +
      `<div class="card"><div class="label">mean sample score</div><div class="big">${esc(fmt(r.verifier.mean_score))}</div></div>` +
      `<div class="card"><div class="label">records</div><div class="big">${esc(r.records)}</div></div>` +
      `<div class="card"><div class="label">graded samples</div><div class="big">${esc(r.verifier.sampled)}</div></div>` +
      `<div class="card"><div class="label">attempts</div><div class="big">${esc(r.attempts)}</div></div>` +
      `</div>`,
  );
  if (r.reason) parts.push(`<p class="warn"><b>Why:</b> ${esc(r.reason)}</p>`);
  if (r.warnings?.length) parts.push(`<div class="warn"><b>Warnings</b><ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul></div>`);

  parts.push(`<h2>Score breakdown</h2>`);
  parts.push(
    r.verifier.sampled
      ? barChart(gradeRows)
      : `<p class="muted">No samples were graded.</p>`,
  );
  parts.push(
    `<p class="muted">Reward = mean sample score when every gate passes; otherwise a penalty${r.penalties ? ` (${esc(Object.entries(r.penalties).map(([k, v]) => `${k} ${v}`).join(", "))})` : ""}.</p>`,
  );

  parts.push(`<h2>Gates</h2>`);
  const mal = r.malformed;
  parts.push(
    table([
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
  parts.push(
    mix.length
      ? barChart(mix.map(([label, n]) => ({ label, value: n, note: `${n} · ${pct(n / Math.max(1, mixTotal))}` })))
      : `<p class="muted">No source information (data.meta.jsonl was absent).</p>`,
  );
  if (r.sources_used.length) parts.push(`<p>Sources used: ${r.sources_used.map((s) => `<code>${esc(s)}</code>`).join(", ")}</p>`);

  if (r.lengths) {
    parts.push(`<h2>Lengths${r.lengths.sampled ? " (uniform sample of records)" : ""}</h2>`);
    parts.push(histogram("user turns", r.lengths.user), histogram("assistant turns", r.lengths.assistant));
  }

  parts.push(`<h2>Graded samples (${esc(samples.length)})</h2>`);
  parts.push(samples.length ? samples.map(sampleBlock).join("") : `<p class="muted">None.</p>`);

  if (r.attempts_detail?.length) {
    parts.push(`<h2>Attempts</h2>`);
    parts.push(
      `<table class="kv"><tr><th>#</th><th>result</th><th>records</th><th>time</th><th>error / fix</th></tr>` +
        r.attempts_detail
          .map(
            (a) =>
              `<tr><td>${esc(a.n)}</td><td>${a.ok ? "ok" : `failed${a.failed_phase ? ` (${esc(a.failed_phase)})` : ""}`}</td><td>${esc(a.records ?? "")}</td>` +
              `<td>${a.duration_ms !== undefined ? `${esc(Math.round(a.duration_ms))} ms` : ""}</td><td>${esc(a.error ?? "")}${a.fix ? `<br><i>fix:</i> ${esc(a.fix)}` : ""}</td></tr>`,
          )
          .join("") +
        `</table>`,
    );
  }

  const facts: [string, string][] = [];
  if (r.contract) facts.push(["answer format", esc(r.contract.describe)]);
  if (r.isolation) facts.push(["sandbox", `${esc(r.isolation.kind)} (${esc(r.isolation.mechanism)})${r.isolation.warnings.length ? `: ${esc(r.isolation.warnings.join("; "))}` : ""}`]);
  facts.push(["timings", esc(Object.entries(r.timings_ms).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(", ") || "—")]);
  if (r.verifier.seed !== undefined) facts.push(["sampling", `seed ${esc(r.verifier.seed)}, ${esc(r.verifier.samples_requested ?? r.verifier.sampled)} requested`]);
  parts.push(`<h2>Run</h2>`, table(facts));

  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(r.task)} · ${esc(STATUS_TEXT[r.status] ?? r.status)} · datachef report</title><style>${CSS}</style></head>` +
    `<body><main>${parts.join("\n")}</main></body></html>\n`;
}
