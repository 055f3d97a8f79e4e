/**
 * `datachef eval-verifier` on two generated demo tasks: single-source baselines are cooked,
 * ladders built on the best one, rho per ladder; misses carry a named blind spot.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { demoTaskSpec, generateDemoPool } from "../demo/generate.js";
import { runVerifierEval, writeVerifierEvalFiles } from "./verifier-eval.js";

const root = mkdtempSync(path.join(os.tmpdir(), "datachef-eval-verifier-"));

test("corruption ladders: the verifier sees format, refusal and off-domain damage; misses are named", async () => {
  await generateDemoPool(path.join(root, "demo"));
  const specs = [demoTaskSpec(path.join(root, "demo"), "tickets"), demoTaskSpec(path.join(root, "demo"), "mcqa")];
  const out = path.join(root, "out");
  const r = await runVerifierEval({ specs, out, seed: 1, samples: 40, shares: [0, 0.3, 0.6, 1], maxRecords: 400 });
  writeVerifierEvalFiles(r, out);
  expect(r.tasks.map((t) => t.task).sort()).toEqual(["demo_science_mcq", "demo_ticket_routing"]);
  for (const t of r.tasks) {
    const by = Object.fromEntries(t.ladders.map((l) => [l.ladder, l]));
    expect(Object.keys(by).sort()).toEqual(["duplicates", "format", "off_domain", "refusal_truncation", "wrong_answer"]);
    for (const k of ["format", "refusal_truncation", "off_domain"]) {
      expect({ task: t.task, ladder: k, rho: by[k]!.rho }).toEqual({ task: t.task, ladder: k, rho: expect.any(Number) });
      expect(by[k]!.rho!).toBeLessThanOrEqual(-0.8);
      expect(by[k]!.rewards[0]!).toBeGreaterThan(by[k]!.rewards.at(-1)!);
    }
    // copies of good records are good records to a per-sample judge: a named blind spot
    expect(by.duplicates!.flagged).toBe(true);
    expect(by.duplicates!.blindSpot).toMatch(/copy of a good record/);
  }
  const mcq = r.tasks.find((t) => t.task === "demo_science_mcq")!.ladders.find((l) => l.ladder === "wrong_answer")!;
  expect(mcq.flagged ? mcq.blindSpot : "seen").toMatch(/seen|option letters cannot be checked without a model/);
  expect(r.summary.unexplained).toEqual([]);
  expect(r.summary.seen + r.summary.flagged).toBe(r.summary.ladders);
  expect(existsSync(path.join(out, "verifier-eval.html"))).toBe(true);
  expect(JSON.parse(readFileSync(path.join(out, "verifier-eval.json"), "utf8")).summary).toEqual(r.summary);
}, 300_000);
