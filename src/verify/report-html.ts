/**
 * report.html: one self-contained page (inline CSS and SVG charts, no scripts, no external
 * resources) for people. The page itself is built in src/report/ (Vega-Lite charts rendered to
 * SVG at build time); this module keeps the verifier's entry points.
 */
import type { Report } from "./report.js";
import { renderRunReportHtml } from "../report/run-page.js";

export { esc } from "../report/html.js";

export function renderReportHtml(r: Report): string {
  return renderRunReportHtml(r);
}
