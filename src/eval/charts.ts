/**
 * The evaluation charts as Vega-Lite specs (data inline); src/report/vega.ts renders them to
 * inline SVG. Pure functions of eval results, testable without rendering.
 */
import type { ChartSpec } from "../report/vega.js";
import type { EvalResult } from "./types.js";

export const VARIANT_COLORS: Record<string, string> = {
  policy: "#2e90fa",
  "single-source best": "#12b76a",
  "single-source mean": "#a6f4c5",
  "all-sources": "#f79009",
  "random-plan": "#9e77ed",
};

/** Every recipe's DVS score per task (dots), policy and random-plan side by side, with the means. */
export function rewardDistributionChart(r: EvalResult): ChartSpec {
  const values = r.recipes
    .filter((x) => x.kind === "policy" || x.kind === "random-plan")
    .map((x) => ({ task: x.task, variant: x.kind, score: x.score, seed: x.seed, status: x.status }));
  return {
    title: { text: "Reward distribution per task", subtitle: "each dot is one recipe's score (failed recipes = 0); ticks are DVS@N" },
    data: { values },
    facet: { row: { field: "task", type: "nominal", title: null, header: { labelAngle: 0, labelAlign: "left", labelFontSize: 11 } } },
    spec: {
      width: 520,
      height: 36,
      layer: [
        {
          mark: { type: "point", filled: true, opacity: 0.75, size: 45 },
          encoding: {
            x: { field: "score", type: "quantitative", scale: { domain: [0, 1] }, title: "verifier score" },
            y: { field: "variant", type: "nominal", title: null, axis: { labelFontSize: 10 } },
            yOffset: { field: "seed", type: "nominal" },
            color: { field: "variant", type: "nominal", scale: { domain: ["policy", "random-plan"], range: [VARIANT_COLORS.policy!, VARIANT_COLORS["random-plan"]!] }, legend: { orient: "top", title: null } },
          },
        },
        {
          mark: { type: "tick", thickness: 3, size: 26, color: "#101828" },
          encoding: {
            x: { aggregate: "mean", field: "score", type: "quantitative" },
            y: { field: "variant", type: "nominal" },
          },
        },
      ],
    },
    resolve: { scale: { y: "independent" } },
  } as ChartSpec;
}

/** DVS per task: the policy against every baseline. */
export function policyVsBaselinesChart(r: EvalResult): ChartSpec {
  const values: { task: string; variant: string; dvs: number }[] = [];
  for (const t of r.tasks) {
    if (t.policy) values.push({ task: t.task, variant: "policy", dvs: t.policy.dvs });
    const ss = t.baselines.singleSource;
    if (ss?.best) values.push({ task: t.task, variant: "single-source best", dvs: ss.best.dvs });
    if (ss?.perSource.length) values.push({ task: t.task, variant: "single-source mean", dvs: ss.mean });
    if (t.baselines.allSources) values.push({ task: t.task, variant: "all-sources", dvs: t.baselines.allSources.dvs });
    if (t.baselines.randomPlan) values.push({ task: t.task, variant: "random-plan", dvs: t.baselines.randomPlan.dvs });
  }
  const domain = Object.keys(VARIANT_COLORS);
  return {
    title: { text: "Policy against baselines", subtitle: "DVS@N per task; baselines cooked at the same seeds (the same verifier samples)" },
    data: { values },
    width: { step: 14 },
    height: 220,
    mark: { type: "bar" },
    encoding: {
      x: { field: "task", type: "nominal", title: null, axis: { labelAngle: 0 } },
      xOffset: { field: "variant", type: "nominal", sort: domain },
      y: { field: "dvs", type: "quantitative", scale: { domain: [0, 1] }, title: "DVS" },
      color: { field: "variant", type: "nominal", sort: domain, scale: { domain, range: domain.map((d) => VARIANT_COLORS[d]!) }, legend: { orient: "top", title: null } },
      tooltip: [{ field: "task" }, { field: "variant" }, { field: "dvs", format: ".3f" }],
    },
  } as ChartSpec;
}

/** Verifier reward against the downstream proxy's accuracy, one panel per task. */
export function downstreamChart(points: { task: string; dataset: string; reward: number; accuracy: number }[]): ChartSpec {
  return {
    title: { text: "Verifier reward vs downstream proxy accuracy", subtitle: "one dot per training set" },
    data: { values: points },
    facet: { column: { field: "task", type: "nominal", title: null } },
    spec: {
      width: 200,
      height: 180,
      mark: { type: "point", filled: true, size: 50, color: "#2e90fa" },
      encoding: {
        x: { field: "reward", type: "quantitative", title: "verifier reward", scale: { zero: false } },
        y: { field: "accuracy", type: "quantitative", title: "proxy accuracy", scale: { zero: false } },
        tooltip: [{ field: "dataset" }, { field: "reward", format: ".3f" }, { field: "accuracy", format: ".3f" }],
      },
    },
    resolve: { scale: { x: "independent", y: "independent" } },
  } as ChartSpec;
}

/** Reward against corruption share, one line per ladder, one panel per task. */
export function ladderChart(points: { task: string; ladder: string; share: number; reward: number }[]): ChartSpec {
  return {
    title: { text: "Verifier reward under growing corruption", subtitle: "a verifier that sees the corruption slopes down" },
    data: { values: points },
    facet: { column: { field: "task", type: "nominal", title: null } },
    spec: {
      width: 170,
      height: 150,
      mark: { type: "line", point: true },
      encoding: {
        x: { field: "share", type: "quantitative", title: "corrupted share", scale: { domain: [0, 1] } },
        y: { field: "reward", type: "quantitative", title: "reward", scale: { domain: [0, 1] } },
        color: { field: "ladder", type: "nominal", legend: { orient: "top", title: null } },
      },
    },
  } as ChartSpec;
}
