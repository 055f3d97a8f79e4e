/**
 * Unseen-schema task 2: unit conversions and business ratios with `\boxed{}` answers. Numbers
 * are chosen so every step is exact in short decimals, and the steps are computed by `Work`.
 */
import path from "node:path";
import { normalizeText } from "../data/text.js";
import { fmtNum, Work } from "./math.js";
import { rewordSlightly } from "./perturb.js";
import { distinct, scaled, type TaskDef } from "./pool.js";
import type { Rng } from "./rng.js";
import { person } from "./words.js";
import { writeCsv, writeJsonArray, writeJsonl, writeParquet } from "./writers.js";

const DIR = "data/ratios";

export interface RatioProblem {
  kind: string;
  statement: string;
  ask: string;
  /** The named numbers the statement gives. */
  figures: { name: string; amount: number }[];
  steps: string[];
  value: number;
}

const CONVERSIONS = [
  { from: "kilograms", one: "kilogram", to: "grams", factor: 1000, thing: "flour" },
  { from: "liters", one: "liter", to: "milliliters", factor: 1000, thing: "juice" },
  { from: "kilometers", one: "kilometer", to: "meters", factor: 1000, thing: "trail" },
  { from: "meters", one: "meter", to: "centimeters", factor: 100, thing: "ribbon" },
  { from: "hours", one: "hour", to: "minutes", factor: 60, thing: "rehearsal" },
  { from: "minutes", one: "minute", to: "seconds", factor: 60, thing: "podcast" },
  { from: "days", one: "day", to: "hours", factor: 24, thing: "festival" },
  { from: "weeks", one: "week", to: "days", factor: 7, thing: "course" },
] as const;

const COMPANIES = ["Orchid Textiles", "Bluefin Logistics", "Copperleaf Foods", "Northwind Tools", "Granite Labs", "Sunpath Solar", "Harbor Books"];

type Gen = (r: Rng) => RatioProblem;

const convert: Gen = (r) => {
  const c = r.pick(CONVERSIONS);
  const qty = r.chance(0.4) ? r.int(2, 40) + 0.5 : r.int(2, 90);
  const p = person(r);
  const w = new Work();
  const value = w.calc(qty, "*", c.factor, (e) => `One ${c.one} is ${c.factor} ${c.to}, so ${p.name} measured ${e} ${c.to}.`);
  return {
    kind: "unit conversion",
    statement: `${p.name} measures the ${c.thing} and writes down ${fmtNum(qty)} ${c.from}.`,
    ask: `How many ${c.to} did ${p.name} measure?`,
    figures: [{ name: c.from, amount: qty }],
    steps: w.steps,
    value,
  };
};

const speed: Gen = (r) => {
  // Multiples of 18 km/h are whole meters per second; ranges keep each vehicle plausible.
  const [vehicle, lo, hi] = r.pick([["bike", 1, 2], ["scooter", 1, 3], ["tram", 2, 4], ["delivery drone", 2, 6], ["ferry", 1, 3], ["high-speed train", 8, 17], ["race car", 8, 15]] as const);
  const kmh = r.int(lo, hi) * 18;
  const p = person(r);
  const w = new Work();
  const mph = w.calc(kmh, "*", 1000, (e) => `${p.name}'s ${vehicle} covers ${e} meters per hour.`);
  const ms = w.calc(mph, "/", 3600, (e) => `An hour has 3600 seconds, so ${p.name}'s ${vehicle} moves ${e} meters per second.`);
  return {
    kind: "speed conversion",
    statement: `${p.name}'s ${vehicle} moves at a steady ${kmh} km/h.`,
    ask: `What is the speed of ${p.name}'s ${vehicle} in meters per second?`,
    figures: [{ name: "km per hour", amount: kmh }],
    steps: w.steps,
    value: ms,
  };
};

const margin: Gen = (r) => {
  const revenue = r.int(20, 900) * 1000, pct = r.pick([5, 8, 10, 12, 15, 20, 25, 30, 40]);
  const profit = (revenue * pct) / 100, cost = revenue - profit;
  const co = r.pick(COMPANIES);
  const w = new Work();
  const p = w.calc(revenue, "-", cost, (e) => `Profit is revenue minus costs: ${e} dollars.`);
  const x = w.calc(p, "*", 100, (e) => `Scale the profit of ${co} to percent: ${e}.`);
  const m = w.calc(x, "/", revenue, (e) => `Divide by revenue: ${e} percent.`);
  return {
    kind: "profit margin",
    statement: `${co} reported revenue of $${revenue} and total costs of $${cost} last year.`,
    ask: `What was the profit margin of ${co} in percent?`,
    figures: [{ name: "revenue", amount: revenue }, { name: "costs", amount: cost }],
    steps: w.steps,
    value: m,
  };
};

const growth: Gen = (r) => {
  const before = r.int(2, 60) * 100, pct = r.pick([4, 5, 10, 15, 20, 25, 50]);
  const after = before + (before * pct) / 100;
  const what = r.pick(["monthly subscribers", "online orders", "museum visitors", "newsletter readers"]);
  const co = r.pick(COMPANIES);
  const w = new Work();
  const d = w.calc(after, "-", before, (e) => `The increase in ${what} at ${co} is ${e}.`);
  const x = w.calc(d, "*", 100, (e) => `Scale to percent: ${e}.`);
  const g = w.calc(x, "/", before, (e) => `Divide by the starting value: ${e} percent.`);
  return {
    kind: "growth rate",
    statement: `${co} had ${before} ${what} in January and ${after} in June.`,
    ask: `By what percentage did the number of ${what} at ${co} grow?`,
    figures: [{ name: "january", amount: before }, { name: "june", amount: after }],
    steps: w.steps,
    value: g,
  };
};

const unitPrice: Gen = (r) => {
  const count = r.pick([4, 5, 8, 10, 20, 25]), each = r.int(3, 90) / 4;
  const total = count * each;
  const item = r.pick(["batteries", "light bulbs", "notebooks", "coffee pods", "seed packets"]);
  const p = person(r);
  const w = new Work();
  const v = w.calc(total, "/", count, (e) => `Each of ${p.name}'s ${item} costs ${e} dollars.`);
  return {
    kind: "unit price",
    statement: `${p.name} pays $${fmtNum(total)} for a pack of ${count} ${item}.`,
    ask: `What does one of the ${item} cost ${p.name}, in dollars?`,
    figures: [{ name: "pack size", amount: count }, { name: "pack price", amount: total }],
    steps: w.steps,
    value: v,
  };
};

const exchange: Gen = (r) => {
  const rate = r.pick([1.1, 1.25, 0.8, 1.5, 0.75, 1.2]), amount = r.int(2, 80) * 20;
  const [from, one, to] = r.pick([["euros", "euro", "dollars"], ["pounds", "pound", "francs"], ["dollars", "dollar", "crowns"]] as const);
  const p = person(r);
  const w = new Work();
  const v = w.calc(amount, "*", rate, (e) => `Multiply by the rate: ${p.name} gets ${e} ${to}.`);
  return {
    kind: "currency exchange",
    statement: `The bank gives ${rate} ${to} for each ${one}. ${p.name} changes ${amount} ${from}.`,
    ask: `How many ${to} does ${p.he} get?`,
    figures: [{ name: "rate", amount: rate }, { name: from, amount }],
    steps: w.steps,
    value: v,
  };
};

const GENERATORS: readonly Gen[] = [convert, speed, margin, growth, unitPrice, exchange];

export function ratioProblem(r: Rng): RatioProblem {
  return r.pick(GENERATORS)(r);
}

export const ratioQuestion = (p: RatioProblem) => `${p.statement} ${p.ask}`;

export function boxedSolution(p: RatioProblem): string {
  return `${p.steps.join("\n")}\nThe answer is $\\boxed{${fmtNum(p.value)}}$.`;
}

export async function writeRatioTask(root: string, rng: Rng, scale: number): Promise<TaskDef> {
  const taken = new Set<string>();
  const fresh = (r: Rng, n: number) => distinct(n, () => ratioProblem(r), (p) => normalizeText(ratioQuestion(p)), taken);

  const bench = fresh(rng.fork("ratios/benchmark"), scaled(120, scale));
  await writeJsonl(path.join(root, DIR, "benchmark.jsonl"), bench.map((p) => ({ prompt_text: ratioQuestion(p), worked_answer: boxedSolution(p) })));

  const logs = fresh(rng.fork("ratios/logs"), scaled(500, scale));
  await writeJsonl(
    path.join(root, DIR, "converter_logs.jsonl"),
    logs.map((p) => ({ input: { q: ratioQuestion(p) }, output: { steps: p.steps, value: p.value } })),
  );

  const sheetRng = rng.fork("ratios/sheets");
  const sheets = fresh(sheetRng, scaled(400, scale));
  await writeParquet(
    path.join(root, DIR, "ratio_sheets.parquet"),
    sheets.map((p) => ({ case: { statement: p.statement, ask: p.ask }, figures: p.figures, solution: { value: p.value, decimals: Number.isInteger(p.value) ? 0 : 2 }, kind: p.kind })),
  );

  const forumRng = rng.fork("ratios/forum");
  const forum = fresh(forumRng, scaled(300, scale));
  await writeJsonArray(
    path.join(root, DIR, "calc_forum.json"),
    forum.map((p) => ({
      post_title: `${p.kind} question`,
      post_body: ratioQuestion(p),
      accepted_reply: `${p.steps.join(" ")} ${forumRng.pick(["So it's", "That gives", "Final:"])} ${fmtNum(p.value)}.`,
    })),
  );

  const leakRng = rng.fork("ratios/leak");
  const leakFresh = fresh(leakRng, scaled(40, scale, 4));
  const leak = Array.from({ length: scaled(160, scale) }, (_, i) => {
    const fromBench = leakRng.chance(0.7);
    const p = fromBench ? leakRng.pick(bench) : leakFresh[i % leakFresh.length]!;
    return { question: fromBench && leakRng.chance(0.5) ? rewordSlightly(leakRng, ratioQuestion(p)) : ratioQuestion(p), answer_value: fmtNum(p.value) };
  });
  await writeCsv(path.join(root, DIR, "textbook_answers.csv"), ["question", "answer_value"], leak);

  return {
    id: "unseen_ratio_boxed",
    domain: "applied arithmetic",
    instruction:
      "Adapt a base LLM to solve unit-conversion and business-ratio questions (margins, growth rates, unit prices, exchange rates). Solutions should show each calculation and put the final number in \\boxed{}.",
    benchmark: {
      id: "unseen_ratio_boxed_test",
      name: "Conversions and ratios",
      description: "Held-out questions (prompt_text) with worked answers (worked_answer) whose final number is in \\boxed{}.",
      file: `${DIR}/benchmark.jsonl`,
      metric: "accuracy of the number in \\boxed{}",
      rows: bench.length,
    },
    sources: [
      {
        id: "converter_logs", file: `${DIR}/converter_logs.jsonl`, role: "in-domain", license: "MIT", rows: logs.length,
        description: "In-domain: calculator logs as nested JSONL: input{q}, output{steps[], value}.",
      },
      {
        id: "ratio_sheets", file: `${DIR}/ratio_sheets.parquet`, role: "in-domain", license: "CC-BY-4.0", rows: sheets.length,
        description: "In-domain: exercise sheets in Parquet: case{statement, ask}, figures (list of {name, amount}), solution{value, decimals}, kind; no worked steps.",
      },
      {
        id: "calc_forum", file: `${DIR}/calc_forum.json`, role: "in-domain", license: "CC-BY-SA-4.0", rows: forum.length,
        description: "In-domain: Q&A forum threads as a JSON array of {post_title, post_body, accepted_reply}; replies work the numbers out in prose.",
      },
      {
        id: "textbook_answers", file: `${DIR}/textbook_answers.csv`, role: "leaks the benchmark", license: "CC-BY-NC-4.0", rows: leak.length,
        description: "Leaks the benchmark: a textbook answer key as CSV (question, answer_value) that copies most benchmark questions, some lightly reworded.",
      },
    ],
    maxRecords: 1500,
  };
}
