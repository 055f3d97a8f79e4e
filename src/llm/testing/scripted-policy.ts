/**
 * A scripted "model" for end-to-end tests of the LLM policy on the shared math tasks: replies for
 * the planner (structured), the coder (two code blocks), the repair prompt, the chef and the
 * judge, recognised by their system prompts. The recipe it writes reads one source with the
 * question/answer schema; tests choose that source. Only tests import this file.
 */
import type { ReplyContext, ScriptedReply } from "./openai-server.js";

export const isPlannerCall = (c: ReplyContext) => /You are the planner of datachef/.test(c.system);
export const isCoderCall = (c: ReplyContext) => /You are the coder of datachef\. You turn/.test(c.system);
export const isRepairCall = (c: ReplyContext) => /repairing a data recipe/.test(c.system);
export const isChefCall = (c: ReplyContext) => /You are datachef, an expert/.test(c.system);
export const isJudgeCall = (c: ReplyContext) => /Data Verifier of datachef/.test(c.system);

export function qaPlan(source: string, n = 400) {
  return {
    training_data: [{ dataset_id: source, split: "train", sample_num: n, reason: "word problems with worked solutions ending in '#### <number>', the benchmark's format" }],
    rejected: [],
    workflow: `Read ${source}, keep question and answer as the user and assistant turns with a system turn stating the format, drop exact duplicates, decontaminate against the benchmark, sample ${n}.`,
    operations: { dedup_exact: true, decontaminate: true, min_answer_chars: 10 },
  };
}

export function qaRecipe(source: string, n = 400): string {
  return [
    "import datachef_toolkit as dc",
    "",
    "SYSTEM = \"Solve the math word problem step by step. End with a final line '#### <number>'.\"",
    "",
    "def build(r):",
    '    return SYSTEM, r["question"], r["answer"]',
    "",
    `recs = dc.standardize(dc.iter_source(${JSON.stringify(source)}), build, source=${JSON.stringify(source)}, step="standardize")`,
    'recs = dc.filter_length(recs, role="assistant", min_chars=10, step="filter_length")',
    'recs = dc.dedup_exact(recs, step="dedup")',
    'recs = dc.decontaminate(recs, step="decontaminate")',
    `dc.dump_jsonl(dc.sample(recs, ${n}, seed=0), step="dump")`,
  ].join("\n");
}

export const QA_CHECK = [
  "import json, sys",
  "rows = [json.loads(l) for l in open(sys.argv[1], encoding='utf-8')]",
  "assert rows, 'no records'",
  "for i, r in enumerate(rows):",
  "    last = r['messages'][-1]",
  "    assert last['role'] == 'assistant', 'line %d: last turn is not the assistant' % (i + 1)",
  "    assert '####' in last['content'], 'line %d: no #### marker' % (i + 1)",
  "print('ok', len(rows))",
].join("\n");

export function codeBlocks(recipe: string, check = QA_CHECK, fix?: string): string {
  return `${fix ? `FIX: ${fix}\n\n` : ""}### recipe.py\n\`\`\`python\n${recipe}\n\`\`\`\n\n### check.py\n\`\`\`python\n${check}\n\`\`\`\n`;
}

export function chefCompletion(source: string, n = 400): string {
  const plan = qaPlan(source, n);
  return [
    "## Training Data",
    "```json",
    JSON.stringify(plan.training_data, null, 1),
    "```",
    "",
    "## Data Processing Workflow",
    plan.workflow,
    "",
    codeBlocks(qaRecipe(source, n)),
  ].join("\n");
}

export const JUDGE_PASS = "The question is complete, the solution re-derives correctly and ends with the #### marker.\nGrade: \\boxed{E} Reason: correct, complete and in the benchmark's format";

/** Replies of a well-behaved model for a task whose chosen source is `source`. */
export function wellBehavedPolicy(source: string, n = 400): ScriptedReply[] {
  return [
    { name: "plan", match: isPlannerCall, json: qaPlan(source, n) },
    { name: "code", match: isCoderCall, content: codeBlocks(qaRecipe(source, n)) },
    { name: "repair", match: isRepairCall, content: codeBlocks(qaRecipe(source, n), QA_CHECK, "rewrote the recipe from the plan") },
    { name: "chef", match: isChefCall, content: chefCompletion(source, n) },
    { name: "judge", match: isJudgeCall, content: JUDGE_PASS },
  ];
}
