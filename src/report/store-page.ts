/**
 * The rollout-store page (`datachef report <store>`): reward per group, the spread of rewards
 * within groups, and the training curve when the store holds training steps; the same
 * self-contained style as report.html.
 */
import { rewardPerGroupChart, spreadChart, trainingCurveChart } from "./charts.js";
import { card, esc, fmt, page, panel } from "./html.js";
import type { StoreReportData } from "./store-data.js";
import { renderChart } from "./vega.js";
import { groupStats } from "../rl/advantages.js";

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function std(xs: number[]): number {
  return groupStats(xs).std;
}

export function renderStoreReportHtml(d: StoreReportData): string {
  const scored = d.groups.filter((g) => g.rewards.length);
  const all = scored.flatMap((g) => g.rewards);
  const zero = scored.filter((g) => g.rewards.length > 1 && Math.max(...g.rewards) - Math.min(...g.rewards) < 1e-9).length;
  const parts: string[] = [
    `<h1>Rollout store</h1>`,
    `<p class="muted">${esc(d.location)} · collections: ${d.collections.map((c) => `<code>${esc(c)}</code>`).join(", ") || "none"}</p>`,
    `<div class="cards">` +
      card("rollouts", String(d.rollouts), "rollouts") +
      card("groups", String(d.groups.length)) +
      card("mean reward", all.length ? fmt(Math.round(mean(all) * 1000) / 1000) : "—", "reward") +
      card("zero-spread groups", String(zero)) +
      (d.meanWallMs !== undefined ? card("mean rollout time", `${(d.meanWallMs / 1000).toFixed(1)} s`) : "") +
      `</div>`,
  ];
  if (!scored.length) parts.push(`<p class="warn">No scored rollouts yet.</p>`);
  else {
    parts.push(`<h2>Reward per group</h2>`, panel(renderChart(rewardPerGroupChart(scored), { id: "reward_per_group", label: "reward per group" })));
    parts.push(
      `<h2>Spread within groups</h2>`,
      `<p class="muted">GRPO learns from reward differences inside a group; groups with no spread give no signal (trainers drop them).</p>`,
      panel(renderChart(spreadChart(scored), { id: "spread", label: "reward spread within groups" })),
    );
  }
  if (d.training?.length) parts.push(`<h2>Training</h2>`, panel(renderChart(trainingCurveChart(d.training), { id: "training_curve", label: "training curve" })));

  parts.push(
    `<h2>Groups</h2><table class="grid" data-table="groups"><thead><tr><th>group</th><th>task</th><th>policy</th><th>rollouts</th><th>mean</th><th>std</th><th>min</th><th>max</th><th>statuses</th><th>flags</th></tr></thead><tbody>` +
      d.groups
        .map((g) => {
          const r = g.rewards;
          const stat = (x: number) => (r.length ? esc(x.toFixed(3)) : "—");
          return (
            `<tr><td>${esc(g.group)}</td><td>${esc(g.task)}</td><td>${esc(g.policy)}</td><td class="num">${esc(r.length + g.failed)}/${esc(g.size)}</td>` +
            `<td class="num">${stat(mean(r))}</td><td class="num">${stat(std(r))}</td><td class="num">${stat(Math.min(...r))}</td><td class="num">${stat(Math.max(...r))}</td>` +
            `<td>${esc(Object.entries(g.statuses).map(([s, n]) => `${s} ${n}`).join(", "))}</td><td>${esc(g.flags.join(", "))}</td></tr>`
          );
        })
        .join("") +
      `</tbody></table>`,
  );
  return page(`rollout store · ${d.location}`, parts.join("\n"));
}
