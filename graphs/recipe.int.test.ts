/**
 * The recipe graph on the built-in demo pool (generated here, so no ../shared needed): repair of
 * an injected fault, and the approval interrupt (approve, edit, reject).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command, MemorySaver } from "@langchain/langgraph";
import { generateDemoPool, demoTaskSpec } from "../src/demo/generate.js";
import { cookTask } from "../src/cli/cook.js";
import { ProgressDisplay } from "../src/cli/progress.js";
import { recipeGraphBuilder } from "./recipe.js";
import { recipeContext } from "./state.js";

const quiet = () => new ProgressDisplay(process.stderr, true);
const baseOpts = { seed: 1, samples: 50, policy: "builtin", temperature: 1, sandbox: "auto" as const, maxAttempts: 3, force: true };

/** Renames the first mapped field of the first source in the code (not in the manifest comment). */
export function injectWrongField(recipe: string): { code: string; field: string } {
  const m = /require_fields\("[^"]+", records, \["([^"]+)"/.exec(recipe);
  if (!m) throw new Error("no require_fields call to corrupt");
  const field = m[1]!;
  const code = recipe
    .split("\n")
    .map((line) => (line.startsWith("# datachef-manifest:") ? line : line.split(`"${field}"`).join(`"${field}_typo"`)))
    .join("\n");
  return { code, field };
}

describe("recipe graph", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "datachef-graph-"));
  let pool: string;

  beforeAll(async () => {
    pool = path.join(root, "demo");
    await generateDemoPool(pool);
  });

  test("an injected wrong field name is repaired within the attempt limit, and the report shows the attempts", async () => {
    const spec = demoTaskSpec(pool, "math");
    const first = await cookTask(spec, { ...baseOpts, out: path.join(root, "clean") }, quiet());
    expect(first.report.status).toBe("ok");
    const { code, field } = injectWrongField(readFileSync(path.join(root, "clean", "recipe.py"), "utf8"));
    expect(code).toContain(`"${field}_typo"`);

    const { report } = await cookTask(spec, { ...baseOpts, out: path.join(root, "repaired"), recipeText: code }, quiet());
    expect(report.status).toBe("ok");
    expect(report.attempts).toBeGreaterThanOrEqual(2);
    expect(report.attempts).toBeLessThanOrEqual(3);
    const detail = report.attempts_detail!;
    expect(detail[0]!.ok).toBe(false);
    expect(detail[0]!.error).toMatch(/missing_field/);
    expect(detail[0]!.error).toContain(`${field}_typo`);
    expect(detail.at(-1)!.ok).toBe(true);
    expect(detail.at(-1)!.fix).toMatch(/\S/);
    // every attempt's code is kept, and recipe.py is the code that finally ran
    expect(existsSync(path.join(root, "repaired", "attempts", "1", "recipe.py"))).toBe(true);
    expect(readFileSync(path.join(root, "repaired", "recipe.py"), "utf8")).not.toContain(`"${field}_typo"`);
  }, 240_000);

  test("approval: the plan is shown in an interrupt; edit re-plans with the chosen sources; reject ends cleanly", async () => {
    const graph = recipeGraphBuilder.compile({ checkpointer: new MemorySaver(), name: "recipe" });
    const spec = demoTaskSpec(pool, "tickets");
    const config = { configurable: { thread_id: "t1" }, context: recipeContext({ approve: true, seed: 2, samples: 30 }) };
    const out = path.join(root, "approval");
    const first = await graph.invoke({ taskPath: spec, outDir: out, force: true }, config);
    const pending = (first as any).__interrupt__?.[0]?.value;
    expect(pending?.kind).toBe("approve_plan");
    expect(pending.planMd).toContain("## Training Data");
    const chosen: string[] = pending.plan.training_data.map((d: { dataset_id: string }) => d.dataset_id);
    const keep = chosen.slice(0, 1);

    const edited = await graph.invoke(new Command({ resume: { action: "edit", sources: keep } }), config);
    const again = (edited as any).__interrupt__?.[0]?.value;
    expect(again.plan.training_data.map((d: { dataset_id: string }) => d.dataset_id)).toEqual(keep);

    const rejected = await graph.invoke(new Command({ resume: { action: "reject" } }), config);
    expect((rejected as any).report).toBeUndefined();
    expect((rejected as any).approval.action).toBe("reject");
    expect(existsSync(path.join(out, "report.json"))).toBe(false);
    expect(readdirSync(out).filter((f) => f.startsWith(".partial-"))).toEqual([]);
  }, 120_000);
});
