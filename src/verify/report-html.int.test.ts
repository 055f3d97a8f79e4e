import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { renderReportHtml, renderReportHtmlAsync, reportWorkerReady, useReportWorker } from "./report-html.js";
import { buildReport, writeReportFilesAsync, type Report } from "./report.js";
import { verifierResult } from "./testing.js";

// vega numbers clip paths per thread (clip1, clip2, ...): pages rendered in different threads, or
// later in the same one, differ in those ids only
const sameModuloClipIds = (a: string, b: string) => expect(a.replace(/clip\d+/g, "clip")).toBe(b.replace(/clip\d+/g, "clip"));

const report = buildReport({ task: "t", result: verifierResult(), attempts: [{ n: 1, ok: true, records: 3, durationMs: 12 }] });

describe("the report worker", () => {
  it("renders the same page as rendering here, and writeReportFilesAsync writes both files", async () => {
    useReportWorker();
    expect(await reportWorkerReady()).toBe(true);
    const [here, there] = [renderReportHtml(report), await renderReportHtmlAsync(report)];
    sameModuloClipIds(there, here);
    const many = await Promise.all(Array.from({ length: 4 }, () => renderReportHtmlAsync(report)));
    for (const page of many) sameModuloClipIds(page, here);
    const dir = mkdtempSync(path.join(tmpdir(), "report-worker-"));
    const out = await writeReportFilesAsync(dir, report);
    sameModuloClipIds(readFileSync(out.html!, "utf8"), here);
    expect(JSON.parse(readFileSync(out.json, "utf8"))).toEqual(report);
  });

  it("html: false writes report.json alone", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "report-json-only-"));
    const out = await writeReportFilesAsync(dir, report, { html: false });
    expect(out.html).toBeNull();
    expect(readdirSync(dir)).toEqual(["report.json"]);
  });

  it("fails a page that cannot be rendered as rendering here would", async () => {
    const broken = { ...report, verifier: undefined } as unknown as Report;
    expect(() => renderReportHtml(broken)).toThrow();
    await expect(renderReportHtmlAsync(broken)).rejects.toThrow();
    // and the worker still serves the next page
    sameModuloClipIds(await renderReportHtmlAsync(report), renderReportHtml(report));
  });

  it("never keeps a process alive: a script that used it exits by itself", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "report-worker-exit-"));
    const script = path.join(dir, "use.mts");
    const mod = path.join(import.meta.dirname, "report-html.ts");
    writeFileSync(script, `import { useReportWorker, renderReportHtmlAsync } from ${JSON.stringify(mod)};\nuseReportWorker();\nsetTimeout(async () => { await renderReportHtmlAsync(${JSON.stringify(report)}); console.log("rendered"); }, 3000);\n`);
    const r = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NODE_OPTIONS: "" } });
    expect([r.signal, r.status, r.stdout.trim()]).toEqual([null, 0, "rendered"]);
  }, 90_000);
});
