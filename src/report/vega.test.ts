import * as vega from "vega";
import { chartView, inlineSvg, renderChart, renderSvgRaw } from "./vega.js";
import { gradeChart, lengthChart, sourceMixChart } from "./charts.js";
import { summarizeLengths } from "../verify/report.js";

const resetIds = (vega as unknown as { resetSVGDefIds: () => void }).resetSVGDefIds;

describe("vega rendering", () => {
  it("the synchronous SVG equals vega's own async toSVG (guards the pinned internals)", async () => {
    const spec = sourceMixChart({ a: 3, b: 5, c: 1 });
    resetIds();
    const sync = renderSvgRaw(spec);
    resetIds();
    const asyncSvg = await chartView(spec).toSVG();
    expect(sync).toBe(asyncSvg);
    expect(sync).toMatch(/^<svg/);
  });

  it("renders bars for every grade and the histogram bins", () => {
    const grades = renderChart(gradeChart({ invalid: 1, format_error: 0, incorrect: 2, task_mismatch: 3, pass: 4 }), { id: "grades", label: "g" });
    expect(grades).toMatch(/^<svg data-chart="grades" role="img" aria-label="g"/);
    for (const g of ["invalid", "format_error", "incorrect", "task_mismatch", "pass"]) expect(grades).toContain(g);
    const hist = renderChart(lengthChart("User turns", summarizeLengths([1, 5, 9, 20, 40, 80])), { id: "h", label: "h" });
    expect((hist.match(/<path/g) ?? []).length).toBeGreaterThan(3);
  });

  it("inline SVG holds no URL and escapes quotes in text", () => {
    const evil = `<script>alert("x")</script> & 'q'`;
    const svg = renderChart(sourceMixChart({ [evil]: 2 }), { id: "m", label: evil });
    expect(svg).not.toMatch(/https?:\/\//);
    expect(svg).not.toContain("<script>");
    expect(svg).not.toContain(`"x"`);
    expect(svg).toContain("&lt;script&gt;alert(&quot;x&quot;)");
    expect(inlineSvg(`<svg xmlns="http://www.w3.org/2000/svg"><text a="1">"hi"</text></svg>`)).toBe(`<svg><text a="1">&quot;hi&quot;</text></svg>`);
  });
});
