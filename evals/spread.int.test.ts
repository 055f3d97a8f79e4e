/** Acceptance: 8 seeds on one task give at least 3 distinct plans and rewards with spread. */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateDemoPool, demoTaskSpec } from "../src/demo/generate.js";
import { spread } from "./spread.js";

test("8 seeds on the demo math task: >= 3 distinct plans, non-zero reward variance", async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "datachef-spread-test-"));
  await generateDemoPool(path.join(root, "demo"));
  const r = await spread(demoTaskSpec(path.join(root, "demo"), "math"), [1, 2, 3, 4, 5, 6, 7, 8], path.join(root, "runs"));
  console.log(`spread on ${r.task}: ${r.distinctPlans} distinct plans; rewards ${r.rewards.map((x) => x.toFixed(3)).join(" ")}; variance ${r.variance.toExponential(2)}`);
  expect(r.distinctPlans).toBeGreaterThanOrEqual(3);
  expect(r.variance).toBeGreaterThan(0);
  expect(r.rewards.every((x) => x > 0)).toBe(true);
}, 400_000);
