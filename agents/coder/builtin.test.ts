import type { ClassifiedError } from "../interpreter/classify.js";
import { nameSimilarity, repairRecipeBuiltin, writeRecipeBuiltin, type RepairArgs } from "./builtin.js";
import { readManifest, renderCheck, renderRecipe } from "./codegen.js";
import { hasShared, SHARED, sharedFixture, type SharedFixture } from "./testing/shared-task.js";

const withShared = hasShared() ? describe : describe.skip;
if (!hasShared()) console.warn(`skipping coder repair tests: ${SHARED} not found`);

const err = (kind: ClassifiedError["kind"], message: string, stderrTail = "", tracebackTail = ""): ClassifiedError => ({ kind, message, stderrTail: stderrTail || message, tracebackTail });

test("name similarity ranks typos first", () => {
  expect(nameSimilarity("Bodyy", "Body")).toBeGreaterThan(0.75);
  expect(nameSimilarity("Bodyy", "Answer")).toBeLessThan(0.3);
  expect(nameSimilarity("question_text", "QuestionText")).toBe(1);
});

withShared("repairRecipeBuiltin", () => {
  let fx: SharedFixture;
  let recipe: string;
  let check: string;
  const args = (over: Partial<RepairArgs>): RepairArgs => ({ recipe, check, error: err("runtime", "x"), profiles: fx.profiles, contract: fx.contract, plan: fx.plan, attempt: 1, ...over });

  beforeAll(() => {
    fx = sharedFixture("gsm8k", { sources: ["gsm8k_train", "svamp"] });
    ({ recipe, check } = writeRecipeBuiltin({ task: fx.task, plan: fx.plan, profiles: fx.profiles, contract: fx.contract, seed: 5 }));
  });

  test("a wrong field name injected into the code: regenerated from the manifest", () => {
    // Only the code changes; the manifest line keeps the true mapping.
    const broken = recipe.split("\n").map((l) => (l.startsWith("# datachef-manifest") ? l : l.replaceAll('"Body"', '"Bodyy"'))).join("\n");
    expect(broken).not.toBe(recipe);
    const r = repairRecipeBuiltin(args({ recipe: broken, error: err("missing_field", `KeyError: "source 'svamp' has no field 'Bodyy'"`) }))!;
    expect(r).not.toBeNull();
    expect(r.fix).toMatch(/regenerated the recipe from its manifest/);
    expect(r.recipe).not.toContain('"Bodyy"');
    expect(r.recipe).toContain('dc.get_field(rec, "Body")');
  });

  test("a wrong field in the mapping itself: re-mapped to the closest existing field", () => {
    const model = readManifest(recipe)!;
    const svamp = model.sources.find((s) => s.id === "svamp")!;
    svamp.mapping = { ...svamp.mapping, roles: { ...svamp.mapping.roles, context: ["Bodyy"] } };
    const stale = renderRecipe(model, fx.contract);
    const r = repairRecipeBuiltin(args({ recipe: stale, check: renderCheck(model, fx.contract), error: err("missing_field", `KeyError: "source 'svamp' has no field 'Bodyy'"`) }))!;
    expect(r.fix).toBe("source 'svamp': field 'Bodyy' does not exist; mapped context to 'Body' (closest existing field)");
    expect(readManifest(r.recipe)!.sources.find((s) => s.id === "svamp")!.mapping.roles.context).toEqual(["Body"]);
    expect(r.recipe).toMatch(/Repairs:\n {2}- source 'svamp': field 'Bodyy'/);
  });

  test("a field with no look-alike: the source is re-mapped from its profile", () => {
    const model = readManifest(recipe)!;
    const svamp = model.sources.find((s) => s.id === "svamp")!;
    svamp.mapping = { ...svamp.mapping, roles: { ...svamp.mapping.roles, question: "zq" } };
    const r = repairRecipeBuiltin(args({ recipe: renderRecipe(model, fx.contract), check: renderCheck(model, fx.contract), error: err("missing_field", `KeyError: "source 'svamp' has no field 'zq'"`) }))!;
    expect(r.fix).toMatch(/re-mapped the source's fields from its profile/);
    expect(readManifest(r.recipe)!.sources.find((s) => s.id === "svamp")!.mapping.roles.question).toBe("Question");
  });

  test("timeouts: near dedup goes first, then rows read, then planned sizes; then nothing is left", () => {
    const r1 = repairRecipeBuiltin(args({ error: err("timeout", "wall-time limit exceeded") }))!;
    expect(r1.fix).toMatch(/turned off near dedup/);
    expect(r1.recipe).not.toContain("dc.dedup_near(");
    const r2 = repairRecipeBuiltin(args({ recipe: r1.recipe, check: r1.check, error: err("timeout", "again"), attempt: 2 }))!;
    expect(r2.fix).toMatch(/read at most 3x/);
    expect(readManifest(r2.recipe)!.sources.every((s) => s.readLimit === 1000)).toBe(true);
    const r3 = repairRecipeBuiltin(args({ recipe: r2.recipe, check: r2.check, error: err("limit", "memory"), attempt: 3 }))!;
    expect(r3.fix).toMatch(/halved/);
    expect(readManifest(r3.recipe)!.sources.map((s) => s.target)).toEqual([150, 150]);
    const r4 = repairRecipeBuiltin(args({ recipe: r3.recipe, check: r3.check, error: err("timeout", "x"), attempt: 4 }))!;
    const r5 = repairRecipeBuiltin(args({ recipe: r4.recipe, check: r4.check, error: err("timeout", "x"), attempt: 5 }));
    expect(readManifest(r4.recipe)!.sources.map((s) => s.target)).toEqual([75, 75]);
    expect(r5).toBeNull();
  });

  test("empty output: filters relaxed and the empty source dropped", () => {
    const stderr = "WARNING: source 'svamp' produced no records\nEMPTY OUTPUT: no records survived";
    const r = repairRecipeBuiltin(args({ error: err("empty_output", "EMPTY OUTPUT: no records survived", stderr) }))!;
    expect(r.fix).toBe("relaxed the filters (no outlier filter, no answer length bounds); dropped svamp (no records)");
    const m = readManifest(r.recipe)!;
    expect(m.sources.map((s) => s.id)).toEqual(["gsm8k_train"]);
    expect(m.ops.filter_outliers).toBe(false);
    expect(m.skipped.map((s) => s.id)).toContain("svamp");
  });

  test("a runtime error inside one source's builder drops that source", () => {
    const tb = `Traceback (most recent call last):\n  File "recipe.py", line 700, in main\n  File "recipe.py", line 450, in build_svamp\nTypeError: unsupported operand`;
    const r = repairRecipeBuiltin(args({ error: err("runtime", "StandardizeError: build failed on 1000 of 1000 records", tb, tb) }))!;
    expect(r.fix).toMatch(/^dropped source 'svamp'/);
    expect(readManifest(r.recipe)!.sources.map((s) => s.id)).toEqual(["gsm8k_train"]);
  });

  test("label coverage: first relax the filters, then stop requiring labels no source has", () => {
    const pf = sharedFixture("pubmedqa", { sources: ["pubmedqa_labeled_train"] });
    const w = writeRecipeBuiltin({ task: pf.task, plan: pf.plan, profiles: pf.profiles, contract: pf.contract, seed: 1 });
    const base = { profiles: pf.profiles, contract: pf.contract, plan: pf.plan, attempt: 1 };
    const e = err("assertion", "check.py [label_coverage]: never used as an answer: maybe (counts: {'yes': 60, 'no': 40})");
    const r1 = repairRecipeBuiltin({ ...base, recipe: w.recipe, check: w.check, error: e })!;
    expect(r1.fix).toMatch(/relaxed the filters/);
    const r2 = repairRecipeBuiltin({ ...base, recipe: r1.recipe, check: r1.check, error: e, attempt: 2 })!;
    expect(r2.fix).toMatch(/maybe occur in none of the chosen sources/);
    expect(r2.check).toContain('REQUIRED_KEYS = ["yes", "no"]');
  });

  test("code without a manifest (hand- or model-written) is replaced by the plan's recipe", () => {
    const foreign = "import datachef_toolkit as dc\nrecs = dc.load_source('svamp'\n";
    const r = repairRecipeBuiltin(args({ recipe: foreign, check: "", error: err("syntax", "SyntaxError: '(' was never closed (recipe.py, line 2)") }))!;
    expect(r.fix).toMatch(/^regenerated the recipe from the plan with the built-in coder \(syntax:/);
    expect(readManifest(r.recipe)!.sources.map((s) => s.id)).toEqual(["gsm8k_train", "svamp"]);
  });

  test("no code change helps a sandbox without the toolkit, nor an unchanged model", () => {
    expect(repairRecipeBuiltin(args({ error: err("import", "ModuleNotFoundError: No module named 'datachef_toolkit'") }))).toBeNull();
    expect(repairRecipeBuiltin(args({ error: err("import", "ModuleNotFoundError: No module named 'numpy'") }))).toBeNull();
  });

  test("repairs are deterministic", () => {
    const a = repairRecipeBuiltin(args({ error: err("timeout", "x") }))!;
    const b = repairRecipeBuiltin(args({ error: err("timeout", "x") }))!;
    expect(a).toEqual(b);
  });
});
