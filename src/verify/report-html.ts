/**
 * report.html: one self-contained page (inline CSS and SVG charts, no scripts, no external
 * resources) for people. The page itself is built in src/report/ (Vega-Lite charts rendered to
 * SVG at build time); this module keeps the verifier's entry points.
 *
 * A page's charts cost about 0.2 s of CPU. The rollout collector verifies many runs at once, and
 * on the event loop that time delays every other rollout's model calls; `useReportWorker()` moves
 * rendering to a worker thread (another core). The page is the same; any worker failure falls
 * back to rendering here.
 */
import { Worker } from "node:worker_threads";
import type { Report } from "./report.js";
import { renderRunReportHtml } from "../report/run-page.js";

export { esc } from "../report/html.js";

export function renderReportHtml(r: Report): string {
  return renderRunReportHtml(r);
}

type Reply = { ready: true } | { id: number; html: string } | { id: number; error: string };

class ReportWorker {
  ready = false;
  /** Settles when the worker is ready (true) or unusable (false). */
  readonly started: Promise<boolean>;
  private settleStarted!: (ok: boolean) => void;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (html: string) => void; reject: (e: Error) => void }>();

  constructor(private readonly worker: Worker) {
    this.started = new Promise((resolve) => (this.settleStarted = resolve));
    worker.on("message", (m: Reply) => {
      if ("ready" in m) {
        this.ready = true;
        this.settleStarted(true);
        return;
      }
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!this.pending.size) worker.unref();
      if ("error" in m) p.reject(new Error(m.error));
      else p.resolve(m.html);
    });
    worker.on("error", (e) => this.fail(e));
    worker.on("exit", (code) => this.fail(new Error(`the report worker exited (code ${code})`)));
    // an idle worker never keeps the process alive; it is referenced while a page is rendering
    // (after the listeners: adding a "message" listener references the worker again)
    worker.unref();
  }

  render(r: Report): Promise<string> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, report: r });
    });
  }

  private fail(e: Error): void {
    if (reportWorker === this) reportWorker = null;
    this.ready = false;
    this.settleStarted(false);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** undefined: not asked for; null: could not start or failed (render here from then on). */
let reportWorker: ReportWorker | null | undefined;

/** Renders report pages on a worker thread from now on, once it has started (until then, here). */
export function useReportWorker(): void {
  if (reportWorker !== undefined) return;
  try {
    reportWorker = new ReportWorker(new Worker(new URL("./report-html-worker.mjs", import.meta.url)));
  } catch {
    reportWorker = null;
  }
}

/** Whether the report worker is (or becomes) ready; false when it was never asked for or failed. */
export async function reportWorkerReady(): Promise<boolean> {
  return reportWorker ? reportWorker.started : false;
}

/** renderReportHtml, on the report worker when it is in use and ready. */
export async function renderReportHtmlAsync(r: Report): Promise<string> {
  if (reportWorker?.ready) {
    try {
      return await reportWorker.render(r);
    } catch {
      // the worker failed or the page failed there: render here (and fail here, if it fails again)
    }
  }
  return renderReportHtml(r);
}
