/**
 * Test fixtures for the planner: synthetic profiles, contracts and a stub mapper. Only tests
 * import this file.
 */
import type { FieldProfile, FieldType, SourceProfile } from "../../src/data/types.js";
import { recordText } from "../../src/data/text.js";
import type { TaskContract } from "../../src/task/contract.js";
import { parseTaskSpec, type LoadedTask } from "../../src/task/spec.js";
import type { MappingLike } from "./features.js";

function typeOf(v: unknown): FieldType {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v as FieldType;
}

/** Top-level field statistics computed from the examples themselves. */
function fieldsOf(examples: Record<string, unknown>[]): FieldProfile[] {
  const keys = [...new Set(examples.flatMap((e) => Object.keys(e)))];
  return keys.map((k) => {
    const vals = examples.map((e) => e[k]).filter((v) => v !== undefined && v !== null);
    const types: FieldProfile["types"] = {};
    for (const v of vals) types[typeOf(v)] = (types[typeOf(v)] ?? 0) + 1;
    const strs = vals.filter((v): v is string => typeof v === "string");
    return {
      path: k,
      types,
      presence: examples.length ? vals.length / examples.length : 0,
      meanChars: strs.length ? strs.reduce((s, x) => s + x.length, 0) / strs.length : undefined,
    };
  });
}

export function makeProfile(p: Partial<SourceProfile> & { id: string; examples: Record<string, unknown>[] }): SourceProfile {
  const lengths = p.examples.map((e) => recordText(e).length).sort((a, b) => a - b);
  const q = (f: number) => lengths[Math.min(lengths.length - 1, Math.floor(f * lengths.length))] ?? 0;
  return {
    path: `/data/${p.id}.jsonl`,
    format: "jsonl",
    rows: 1000,
    bytes: 100000,
    malformed: 0,
    malformedExamples: [],
    invalidUtf8Lines: 0,
    topLevelFields: [...new Set(p.examples.flatMap((e) => Object.keys(e)))],
    fields: fieldsOf(p.examples),
    textLength: { mean: lengths.reduce((a, b) => a + b, 0) / (lengths.length || 1), p50: q(0.5), p95: q(0.95), max: lengths.at(-1) ?? 0 },
    duplicateRate: 0,
    relevance: 0.1,
    sampleSize: p.examples.length,
    ...p,
  };
}

export const MARKER_CONTRACT: TaskContract = {
  answer: { kind: "marker", marker: "####" },
  reasoning: true,
  numericAnswer: true,
  hasOptions: false,
  hasContext: false,
  inputFields: ["question"],
  answerField: "answer",
  systemPrompt: "Solve the problem step by step and end with '#### <number>'.",
  describe: "step-by-step solution ending with '#### <number>'",
  inputChars: { p50: 220, p95: 420 },
};

export const LABEL_CONTRACT: TaskContract = {
  answer: { kind: "label", labels: ["positive", "negative", "neutral"] },
  reasoning: false,
  numericAnswer: false,
  hasOptions: false,
  hasContext: false,
  inputFields: ["sentence"],
  answerField: "sentiment",
  systemPrompt: "Answer with one word: positive, negative or neutral.",
  describe: "one label out of positive/negative/neutral",
  inputChars: { p50: 120, p95: 250 },
};

/** A mapper that answers from a table (tests decide compatibility; product code never does this). */
export function stubMapper(table: Record<string, Partial<MappingLike>>): (profile: SourceProfile) => MappingLike {
  return (profile) => {
    const m = table[profile.id] ?? {};
    return { ok: true, score: 0.8, roles: {}, answerTransform: "identity", notes: [], ...m };
  };
}

export function makeTask(sources: { id: string; license?: string }[], extra: { commercial?: boolean; max_records?: number } = {}): LoadedTask {
  return parseTaskSpec(
    {
      id: "synthetic",
      instruction: "Solve grade-school word problems step by step, ending with '#### <number>'.",
      benchmark: { id: "bench", path: "/data/bench.jsonl", metric: "accuracy" },
      sources: sources.map((s) => ({ id: s.id, path: `/data/${s.id}.jsonl`, license: s.license })),
      budget: extra.max_records ? { max_records: extra.max_records } : undefined,
      commercial: extra.commercial,
    },
    "<test>",
    "/",
  );
}

// ---------------------------------------------------------------------------------------------
// A realistic multi-source word-problem task: one in-domain source, several related ones of
// varying fit and quality, an off-domain instruction set, a raw-completion dump and an
// incompatible code set.

const wp = (i: number) => ({
  question: `Tom has ${i + 3} apples and buys ${i + 2} more bags with 4 apples each. How many apples does he have now?`,
  answer: `Each bag has 4 apples, so ${i + 2} bags hold ${i + 2} * 4 = ${(i + 2) * 4} apples.\nHe now has ${i + 3} + ${(i + 2) * 4} = ${i + 3 + (i + 2) * 4} apples.\n#### ${i + 3 + (i + 2) * 4}`,
});
const simple = (i: number) => ({ Body: `A pack of pens costs ${i + 10} dollars with a discount of ${i} dollars`, Question: "How much do you pay for each pack?", Answer: 10 });
const units = (i: number) => ({ Body: `There are ${i + 2} red and ${i} green apples in the basket.`, Question: "How many apples are in the basket?", Answer: `${2 * i + 2} (apples)`, Formula: `${i + 2}+${i}=${2 * i + 2}` });
const mcq = (i: number) => ({ problem: `if x + ${i} = ${i + 7} , then x is :`, rationale: `x = ${i + 7} - ${i} = 7 answer : b`, options: "a ) 6 , b ) 7 , c ) 8 , d ) 9 , e ) 10", correct: "b" });
const comp = (i: number) => ({ problem: `Find the number of real roots of $x^2 - ${i + 1} = 0$.`, solution: `We have $x = \\pm\\sqrt{${i + 1}}$, two distinct real numbers. Hence there are $\\boxed{2}$ real roots.`, level: "Level 2" });
const general = (i: number) => ({ instruction: `Give three tips for staying healthy (${i}).`, input: "", output: "1. Eat a balanced diet. 2. Exercise regularly. 3. Get enough sleep." });
const raw = (i: number) => {
  const prompt = `Rewrite the sentence to be more concise.\n\nInput: If you have any questions about my rate number ${i}, please let me know as soon as possible.\nOutput:`;
  return {
    prompt,
    response: ` If you have any questions about my rate number ${i}, please let me know as soon as possible.\n\nInput: The company has been in business for over 20 years.\nOutput: The company has been in business for over 20 years.\n\nInput: I am not sure.\nOutput: I am not sure.`,
  };
};
const code = (i: number) => ({ instruction: `Write a function that adds ${i} to a number.`, input: "", output: `def add(x):\n    return x + ${i}` });

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function wordProblemScenario() {
  const profiles: SourceProfile[] = [
    makeProfile({ id: "src_a", rows: 5216, relevance: 0.136, license: "MIT", examples: range(5).map(wp) }),
    makeProfile({ id: "src_b", rows: 1000, relevance: 0.112, license: "MIT", examples: range(5).map(simple) }),
    makeProfile({ id: "src_c", rows: 2305, relevance: 0.115, license: "CC-BY-NC-4.0", examples: range(5).map(units) }),
    makeProfile({ id: "src_d", rows: 1000, relevance: 0.117, license: "Apache-2.0", examples: range(5).map(mcq) }),
    makeProfile({ id: "src_e", rows: 3606, relevance: 0.085, license: "MIT", examples: range(5).map(comp) }),
    makeProfile({ id: "src_f", rows: 5000, relevance: 0.066, license: "CC-BY-NC-4.0", duplicateRate: 0.01, examples: range(5).map(general) }),
    makeProfile({ id: "src_g", rows: 252, relevance: 0.053, license: "Apache-2.0", examples: range(5).map(raw) }),
    makeProfile({ id: "src_h", rows: 2000, relevance: 0.046, license: "CC-BY-NC-4.0", examples: range(5).map(code) }),
  ];
  const mapper = stubMapper({
    src_a: { score: 0.95, roles: { question: "question", answer: "answer" } },
    src_b: { score: 0.6, roles: { question: ["Body", "Question"], answer: "Answer" }, answerTransform: "number_to_marker" },
    src_c: { score: 0.55, roles: { question: ["Body", "Question"], answer: "Answer", rationale: "Formula" }, answerTransform: "strip_unit_to_marker" },
    src_d: { score: 0.5, roles: { question: "problem", options: "options", rationale: "rationale", answer: "correct" }, answerTransform: "option_to_value_marker" },
    src_e: { score: 0.6, roles: { question: "problem", answer: "solution" }, answerTransform: "boxed_to_marker" },
    src_f: { score: 0.35, roles: { question: ["instruction", "input"], answer: "output" } },
    src_g: { score: 0.45, roles: { question: "prompt", answer: "response" } },
    src_h: { ok: false, score: 0.1, roles: { question: "instruction" }, notes: ["no field holds a numeric final answer (answer format: '#### <number>')"] },
  });
  const task = makeTask(profiles.map((p) => ({ id: p.id, license: p.license })));
  return { profiles, mapper, task, contract: MARKER_CONTRACT };
}
