/**
 * Vega-Lite specs rendered to inline SVG at build time, synchronously, with no network.
 *
 * `View.toSVG()` is async only to wait for data and image loading, which inline-data charts never
 * need; rendering the scenegraph with the headless SVG string renderer right after `run()` gives
 * the same markup (a unit test compares the two), so report writers can stay synchronous.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

export type ChartSpec = TopLevelSpec;

/** A loader that refuses every URL: charts carry their data inline, a report must not fetch. */
function offlineLoader(): vega.Loader {
  const l = vega.loader();
  l.sanitize = (uri: string) => Promise.reject(new Error(`report charts load nothing (asked for ${uri})`));
  return l;
}

/** Shared look of every chart: no ARIA descriptions (they repeat the data), system font. */
export const CHART_CONFIG = {
  aria: false,
  font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 11, titleColor: "#475467", labelColor: "#344054", gridColor: "#eaecf0" },
  title: { fontSize: 13, anchor: "start", color: "#101828" },
  legend: { labelFontSize: 11, titleFontSize: 11 },
} as const;

/** The compiled Vega spec of a Vega-Lite spec (with the shared config). */
export function toVegaSpec(spec: ChartSpec): vega.Spec {
  const withConfig = { ...spec, config: { ...CHART_CONFIG, ...(spec as { config?: object }).config } } as ChartSpec;
  return compile(withConfig).spec;
}

/** The parsed, evaluated view of a spec (renderer "none": headless). */
export function chartView(spec: ChartSpec): vega.View {
  return new vega.View(vega.parse(toVegaSpec(spec)), { renderer: "none", loader: offlineLoader() });
}

/** The headless SVG renderer of vega-scenegraph (exported by vega, absent from its typings). */
interface SvgStringRenderer {
  initialize(el: null, width: number, height: number, origin: [number, number]): SvgStringRenderer;
  background(color: unknown): SvgStringRenderer;
  render(scene: unknown): SvgStringRenderer;
  svg(): string;
}
type SvgStringRendererCtor = new (loader: vega.Loader) => SvgStringRenderer;

interface ViewInternals {
  _viewWidth: number;
  _viewHeight: number;
  _origin: [number, number];
}

/**
 * Inline-HTML-safe SVG: no xmlns attributes (HTML parses inline SVG without them, and the page
 * then holds no URL at all), and quotes escaped in text content (vega escapes only <, > and &
 * there; attribute values never hold a raw '<' or '>', so text runs are exactly `>...<`).
 */
export function inlineSvg(svg: string): string {
  return svg
    .replace(/\s+xmlns(:xlink)?="[^"]*"/g, "")
    .replace(/>([^<]*)</g, (_, text: string) => `>${text.replace(/"/g, "&quot;").replace(/'/g, "&#39;")}<`);
}

/** The raw SVG markup vega renders for a spec, synchronously. */
export function renderSvgRaw(spec: ChartSpec): string {
  const view = chartView(spec);
  view.run();
  // the same geometry vega-view's own headless renderer uses (pinned vega 5.33; checked by a test)
  const v = view as unknown as ViewInternals;
  const pad = view.padding() as { left: number; right: number; top: number; bottom: number };
  const width = Math.max(0, v._viewWidth + pad.left + pad.right);
  const height = Math.max(0, v._viewHeight + pad.top + pad.bottom);
  const origin: [number, number] = [pad.left + v._origin[0], pad.top + v._origin[1]];
  const Renderer = (vega as unknown as { SVGStringRenderer: SvgStringRendererCtor }).SVGStringRenderer;
  const scene = (view.scenegraph() as unknown as { root: unknown }).root;
  const svg = new Renderer(view.loader()).initialize(null, width, height, origin).background(view.background()).render(scene).svg();
  view.finalize();
  return svg;
}

/** A chart as an inline `<svg>` element with a class and an accessible name. */
export function renderChart(spec: ChartSpec, opts: { id: string; label: string }): string {
  const svg = inlineSvg(renderSvgRaw(spec));
  const label = opts.label.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return svg.replace(/^<svg\b/, `<svg data-chart="${opts.id}" role="img" aria-label="${label}"`).replace(/class="marks"/, 'class="chart marks"');
}
