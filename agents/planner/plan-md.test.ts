import { planBuiltin } from "./builtin.js";
import type { Plan } from "./plan.js";
import { DEFAULT_OPERATIONS, parsePlanMd, renderPlanMd } from "./plan-md.js";
import { wordProblemScenario } from "./testing.js";

function builtinPlan(seed: number): Plan {
  const s = wordProblemScenario();
  return planBuiltin({ task: s.task, profiles: s.profiles, contract: s.contract, mapSource: s.mapper, seed }).plan;
}

const minimal: Plan = {
  training_data: [{ dataset_id: "a", split: "train", sample_num: 10, reason: "in-domain" }],
  rejected: [],
  workflow: "Load a, format, dedup.",
  operations: { ...DEFAULT_OPERATIONS },
};

describe("renderPlanMd", () => {
  test("follows the contracts.md layout", () => {
    const s = wordProblemScenario();
    const plan = builtinPlan(3);
    const md = renderPlanMd(plan, { task: s.task, contract: s.contract, profiles: s.profiles });
    const heads = md.split("\n").filter((l) => l.startsWith("## "));
    expect(heads).toEqual(["## Training Data", "## Data Processing Workflow", "## Operations", "## Rejected Sources"]);
    const json = /## Training Data\n\n```json\n([\s\S]*?)\n```/.exec(md)![1]!;
    const list = JSON.parse(json) as Record<string, unknown>[];
    expect(list.map((x) => Object.keys(x))).toEqual(list.map(() => ["dataset_id", "split", "sample_num", "reason"]));
    expect(md).toContain(s.contract.describe);
    expect(md).toContain("# Data recipe plan: synthetic");
    for (const r of plan.rejected) expect(md).toContain(`- \`${r.dataset_id}\`: `);
  });
});

describe("parsePlanMd", () => {
  test("round-trips built-in plans", () => {
    const s = wordProblemScenario();
    for (const seed of [1, 2, 3, 4]) {
      const plan = builtinPlan(seed);
      const r = parsePlanMd(renderPlanMd(plan, { task: s.task, contract: s.contract }), { knownSources: s.profiles.map((p) => p.id), maxRecords: 10000 });
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
      expect(r.plan).toEqual(plan);
    }
  });

  test("round-trips awkward content: headings and fences in the workflow, max_answer_chars, no rejections", () => {
    const plan: Plan = {
      ...minimal,
      workflow: "Steps:\n## not a heading\n```python\n# a comment\nprint(1)\n```\nDone.",
      operations: { ...DEFAULT_OPERATIONS, dedup_near: true, near_threshold: 0.9, max_answer_chars: 4000 },
    };
    const r = parsePlanMd(renderPlanMd(plan));
    expect(r.errors).toEqual([]);
    expect(r.plan).toEqual(plan);
  });

  test("reads LLM-style variants with warnings", () => {
    const md = [
      "# Plan",
      "### 1. Training data",
      "```",
      "[",
      '  {"dataset": "a", "num_samples": "5,000", "reason": "in-domain"}, // main source',
      '  {"dataset_id": "b", "split": "train", "sample_num": 20, "reason": "mix"},',
      "]",
      "```",
      "### 2. Data processing workflow",
      "Map fields, dedup, decontaminate.",
      "### Rejected",
      "* **c** — off-domain",
      "1. d: broken answers",
      "   that ramble",
    ].join("\n");
    const r = parsePlanMd(md);
    expect(r.errors).toEqual([]);
    expect(r.plan!.training_data).toEqual([
      { dataset_id: "a", split: "train", sample_num: 5000, reason: "in-domain" },
      { dataset_id: "b", split: "train", sample_num: 20, reason: "mix" },
    ]);
    expect(r.plan!.rejected).toEqual([
      { dataset_id: "c", reason: "off-domain" },
      { dataset_id: "d", reason: "broken answers that ramble" },
    ]);
    expect(r.plan!.operations).toEqual(DEFAULT_OPERATIONS);
    expect(r.warnings.join("\n")).toMatch(/comments or trailing commas/);
    expect(r.warnings.join("\n")).toMatch(/read dataset_id from 'dataset'/);
    expect(r.warnings.join("\n")).toMatch(/training_data\[0\]\.split: missing; assuming 'train'/);
    expect(r.warnings.join("\n")).toMatch(/no '## Operations' section; default operations assumed/);
  });

  test("a training list without its heading, and operations inside the workflow", () => {
    const md = [
      "Here is my plan.",
      "```json",
      '[{"dataset_id": "a", "split": "train", "sample_num": 3, "reason": "x"}]',
      "```",
      "## Data Processing Workflow",
      "Dedup near duplicates.",
      "```json",
      '{"dedup_exact": true, "dedup_near": true, "near_threshold": 0.8}',
      "```",
    ].join("\n");
    const r = parsePlanMd(md);
    expect(r.ok).toBe(true);
    expect(r.plan!.training_data[0]!.sample_num).toBe(3);
    expect(r.plan!.operations.dedup_near).toBe(true);
    expect(r.plan!.operations.near_threshold).toBe(0.8);
    expect(r.warnings.join("\n")).toMatch(/no '## Training Data' heading/);
  });

  test("precise errors", () => {
    const errs = (md: string, opts = {}) => parsePlanMd(md, opts).errors.join("\n");
    expect(errs("## Data Processing Workflow\nx")).toMatch(/missing '## Training Data' section/);
    expect(errs("## Training Data\nnothing here\n## Data Processing Workflow\nx")).toMatch(/## Training Data: no JSON list found/);
    expect(errs('## Training Data\n```json\n[{"dataset_id": "a" "sample_num": 1}]\n```\n## Data Processing Workflow\nx')).toMatch(
      /## Training Data: the JSON list is not valid JSON: .*line 1 of the block/,
    );
    expect(errs('## Training Data\n```json\n[{"dataset_id": "a", "sample_num": "all"}]\n```\n## Data Processing Workflow\nx')).toMatch(
      /training_data\[0\]\.sample_num: expected a positive integer, got "all"/,
    );
    expect(errs('## Training Data\n```json\n[{"sample_num": 3}]\n```\n## Data Processing Workflow\nx')).toMatch(/training_data\[0\]\.dataset_id: missing/);
    expect(errs('## Training Data\n```json\n{"a": 1}\n```\n## Data Processing Workflow\nx')).toMatch(/expected a JSON list .* got an object/);
    expect(errs('## Training Data\n```json\n[{"dataset_id": "zzz", "split": "train", "sample_num": 3, "reason": "r"}]\n```\n## Data Processing Workflow\nx', { knownSources: ["a", "b"] })).toMatch(
      /training_data\[0\]\.dataset_id: 'zzz' is not a source of this task \(known: a, b\)/,
    );
    const twice = '[{"dataset_id": "a", "split": "train", "sample_num": 600, "reason": "r"}, {"dataset_id": "a", "split": "train", "sample_num": 600, "reason": "r"}]';
    const e = errs(`## Training Data\n\`\`\`json\n${twice}\n\`\`\`\n## Data Processing Workflow\nx`, { maxRecords: 1000 });
    expect(e).toMatch(/'a' is listed more than once/);
    expect(e).toMatch(/sample_num total 1200 exceeds the budget of 1000 records/);
    expect(errs('## Training Data\n```json\n[{"dataset_id": "a", "split": "train", "sample_num": 3, "reason": "r"}]\n```')).toMatch(
      /missing '## Data Processing Workflow' section/,
    );
    const badOps = renderPlanMd(minimal).replace('"outlier_z": 3', '"outlier_z": "high"');
    expect(errs(badOps)).toMatch(/operations\.outlier_z: expected a number, got "high"/);
    const r = parsePlanMd(badOps);
    expect(r.ok).toBe(false);
    expect(r.plan).toBeUndefined();
    expect(r.partial.training_data).toEqual(minimal.training_data);
  });
});
