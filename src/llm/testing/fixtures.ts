/**
 * Fixtures for tests of the LLM agents: a small word-problem task with two sources, and model
 * replies in each agent's format. Only tests import this file.
 */
import { makeProfile, makeTask, MARKER_CONTRACT } from "../../../agents/planner/testing.js";
import type { SourceProfile } from "../../data/types.js";
import type { TaskContract } from "../../task/contract.js";
import type { LoadedTask } from "../../task/spec.js";
import type { ModelConfig } from "../config.js";

export function tinyTask(): { task: LoadedTask; profiles: SourceProfile[]; contract: TaskContract; benchmarkExamples: Record<string, unknown>[] } {
  const task = makeTask([{ id: "word_problems", license: "MIT" }, { id: "cooking_tips" }], { max_records: 500 });
  task.spec.benchmark = { id: "bench_test", path: "/data/bench/bench_test.jsonl", metric: "accuracy" };
  const profiles = [
    makeProfile({ id: "word_problems", examples: [{ question: "Tom has 3 apples and buys 2 more. How many?", answer: "3 + 2 = 5\n#### 5" }] }),
    makeProfile({ id: "cooking_tips", examples: [{ instruction: "How do I boil an egg?", output: "Boil it for 8 minutes." }] }),
  ];
  return { task, profiles, contract: MARKER_CONTRACT, benchmarkExamples: [{ question: "Ann has 4 pens and gets 3 more. How many pens?", answer: "4 + 3 = 7\n#### 7" }] };
}

export function testModelConfig(baseUrl: string, over: Partial<ModelConfig> = {}): ModelConfig {
  return {
    agent: "planner",
    model: "test-model",
    baseUrl,
    apiKey: "test-key",
    temperature: 0,
    timeoutMs: 5_000,
    maxRetries: 0,
    concurrency: 4,
    structuredMethod: "jsonSchema",
    streaming: false,
    ...over,
  };
}

export const GOOD_PLAN = {
  training_data: [{ dataset_id: "word_problems", split: "train", sample_num: 300, reason: "same skill and format" }],
  rejected: [{ dataset_id: "cooking_tips", reason: "off-domain" }],
  workflow: "Read word_problems, keep question and answer, convert to chat with the benchmark's system turn, dedup, decontaminate.",
  operations: { dedup_exact: true, decontaminate: true },
};

export const GOOD_RECIPE = [
  "import datachef_toolkit as dc",
  "def build(r):",
  '    return r["question"], r["answer"]',
  'recs = dc.standardize(dc.iter_source("word_problems"), build)',
  "recs = dc.dedup_exact(recs)",
  "recs = dc.decontaminate(recs)",
  "dc.dump_jsonl(dc.sample(recs, 300, seed=0))",
].join("\n");

export const GOOD_CHECK = [
  "import json, sys",
  "rows = [json.loads(l) for l in open(sys.argv[1])]",
  "assert rows, 'no records'",
  "for r in rows:",
  "    assert '####' in r['messages'][-1]['content'], 'missing #### marker'",
].join("\n");

export function codeReply(recipe = GOOD_RECIPE, check = GOOD_CHECK, fix?: string): string {
  return `${fix ? `FIX: ${fix}\n\n` : ""}### recipe.py\n\`\`\`python\n${recipe}\n\`\`\`\n\n### check.py\n\`\`\`python\n${check}\n\`\`\`\n`;
}

export function planMarkdown(plan: { training_data: unknown[]; workflow: string } = GOOD_PLAN): string {
  return `## Training Data\n\`\`\`json\n${JSON.stringify(plan.training_data)}\n\`\`\`\n\n## Data Processing Workflow\n${plan.workflow}\n`;
}

export function chefReply(plan = GOOD_PLAN, recipe = GOOD_RECIPE, check = GOOD_CHECK): string {
  return `${planMarkdown(plan)}\n${codeReply(recipe, check)}`;
}
