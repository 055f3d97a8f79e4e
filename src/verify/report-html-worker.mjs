// The report worker of report-html.ts. Plain JS, so a worker can load it without a TS loader; it
// registers tsx itself to import the page builder.
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { renderReportHtml } = await import("./report-html.ts");
parentPort.on("message", ({ id, report }) => {
  try {
    parentPort.postMessage({ id, html: renderReportHtml(report) });
  } catch (e) {
    parentPort.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort.postMessage({ ready: true });
