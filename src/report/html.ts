/**
 * Building blocks of the self-contained report pages: escaping, the stylesheet, the page shell.
 * Pages hold no script, no link and no URL; every text from data goes through `esc`.
 */

export function esc(value: unknown): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

export function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A two-column facts table; values are HTML (escape them first). */
export function kvTable(rows: [string, string][]): string {
  return `<table class="kv">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join("")}</table>`;
}

export function card(label: string, value: string, id?: string): string {
  return `<div class="card"${id ? ` data-card="${esc(id)}"` : ""}><div class="label">${esc(label)}</div><div class="big">${esc(value)}</div></div>`;
}

export const CSS = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#101828;background:#f9fafb}
main{max-width:1040px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #eaecf0;padding-bottom:4px}
h4{margin:10px 0 2px;font-size:12px;text-transform:uppercase;color:#667085}
.status{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600;font-size:14px;vertical-align:middle}
.status.ok{background:#027a48}.status.bad{background:#b42318}
.big{font-size:28px;font-weight:700}.muted{color:#667085}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}.card{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:10px 14px;min-width:120px}
.card .label{font-size:12px;color:#667085}.warn{background:#fffaeb;border:1px solid #fedf89;border-radius:8px;padding:8px 12px}
.charts{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.panel{background:#fff;border:1px solid #eaecf0;border-radius:8px;padding:10px;overflow-x:auto;max-width:100%;width:fit-content;box-sizing:border-box}
svg.chart{display:block;max-width:100%;height:auto}.caption{margin:4px 0 0;font-size:12px}
table.kv,table.grid{border-collapse:collapse;background:#fff}
table.kv th,table.kv td,table.grid th,table.grid td{border:1px solid #eaecf0;padding:4px 8px;text-align:left;vertical-align:top}
table.kv th,table.grid th{background:#f2f4f7;font-weight:600;white-space:nowrap}
table.grid{width:100%}table.grid td.num{text-align:right;white-space:nowrap}
tr.pass td:first-child{border-left:4px solid #027a48}tr.task_mismatch td:first-child{border-left:4px solid #7a5af8}
tr.invalid td:first-child,tr.format_error td:first-child,tr.incorrect td:first-child{border-left:4px solid #b42318}
.badge{color:#fff;border-radius:4px;padding:0 6px;font-size:12px;white-space:nowrap}
details summary{cursor:pointer;color:#475467}
pre{white-space:pre-wrap;word-break:break-word;background:#f8f9fc;border:1px solid #eaecf0;border-radius:4px;padding:8px;max-height:320px;overflow:auto;margin:0}
ul.notes{margin:4px 0;color:#475467;padding-left:18px}
code{background:#f2f4f7;border-radius:3px;padding:0 3px}
`;

export function page(title: string, body: string): string {
  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body><main>${body}</main></body></html>\n`
  );
}

/** A chart in a panel (the svg is trusted markup from vega.ts). */
export function panel(svg: string): string {
  return `<div class="panel">${svg}</div>`;
}
