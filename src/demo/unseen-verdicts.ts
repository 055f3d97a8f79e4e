/**
 * Unseen-schema task 1: yes/no/maybe questions about fictional field trials, answered from
 * evidence passages. The verdict follows from the generated results passage (significant gain,
 * no or negative effect, mixed/underpowered), so the label is grounded in the text.
 */
import path from "node:path";
import { normalizeText } from "../data/text.js";
import { distinct, scaled, type TaskDef } from "./pool.js";
import type { Rng } from "./rng.js";
import { capitalize, TOWNS } from "./words.js";
import { writeJsonArray, writeJsonl, writeParquet } from "./writers.js";

const DIR = "data/verdicts";
export const VERDICTS = ["yes", "no", "maybe"] as const;
type Verdict = (typeof VERDICTS)[number];

const TOPICS = [
  { intervention: "mulching", plural: false, verb: "increase", outcome: "tomato yield", population: "community gardens", unit: "plots" },
  { intervention: "drip irrigation", plural: false, verb: "reduce", outcome: "water use", population: "small vineyards", unit: "vineyards" },
  { intervention: "cover crops", plural: true, verb: "reduce", outcome: "soil erosion", population: "hillside farms", unit: "fields" },
  { intervention: "standing desks", plural: true, verb: "reduce", outcome: "lower back pain", population: "office workers", unit: "employees" },
  { intervention: "blue-light filters", plural: true, verb: "improve", outcome: "sleep quality", population: "teenagers", unit: "students" },
  { intervention: "protected bike lanes", plural: true, verb: "shorten", outcome: "commute times", population: "city commuters", unit: "commuters" },
  { intervention: "school breakfast programs", plural: true, verb: "raise", outcome: "reading scores", population: "primary schools", unit: "pupils" },
  { intervention: "green roofs", plural: true, verb: "lower", outcome: "summer indoor temperature", population: "apartment blocks", unit: "buildings" },
  { intervention: "four-day work weeks", plural: true, verb: "reduce", outcome: "staff turnover", population: "software firms", unit: "companies" },
  { intervention: "LED street lighting", plural: false, verb: "reduce", outcome: "night-time road accidents", population: "suburban streets", unit: "street segments" },
  { intervention: "peer tutoring", plural: false, verb: "improve", outcome: "math grades", population: "middle schools", unit: "pupils" },
  { intervention: "hedgerow planting", plural: false, verb: "increase", outcome: "pollinator counts", population: "orchards", unit: "orchards" },
];

export interface VerdictCase {
  question: string;
  passages: { title: string; sentences: string[] }[];
  verdict: Verdict;
}

export function verdictCase(r: Rng, verdict: Verdict = r.pick(VERDICTS)): VerdictCase {
  const t = r.pick(TOPICS);
  const town = r.pick(TOWNS);
  const n = r.int(24, 640), months = r.int(3, 24), pct = r.int(8, 45), year = r.int(2011, 2023);
  const p = (lo: number, hi: number) => (r.int(lo, hi) / 1000).toFixed(3);
  // Verb agreement: "standing desks have", "mulching has".
  const [has, is, does] = t.plural ? ["have", "are", "do"] : ["has", "is", "does"];
  // Long sentences carry the trial's own numbers; generic ones stay under 13 words, so two
  // cases never share a long word sequence unless they are the same case.
  const background = {
    title: `${capitalize(t.intervention)} in ${t.population}`,
    sentences: [
      `${capitalize(t.intervention)} ${r.pick([`${has} been promoted`, `${is} often recommended`])} to ${t.verb} ${t.outcome}.`,
      `Earlier surveys of ${r.int(40, 900)} people in ${town} had no control group.`,
    ],
  };
  const design = `The ${year} ${town} trial followed ${n} ${t.unit} for ${months} months, half of them assigned to ${t.intervention} at random.`;
  const results: Record<Verdict, string[]> = {
    yes: [design, `${capitalize(t.outcome)} changed by ${pct} percent in the intended direction.`, `The difference was statistically significant (p = ${p(1, 9)}).`],
    no: r.chance(0.5)
      ? [design, `There was no measurable difference in ${t.outcome} (p = ${p(300, 900)}).`, `So ${t.intervention} alone ${does} not ${t.verb} ${t.outcome}.`]
      : [design, `Surprisingly, ${t.outcome} moved ${pct} percent in the wrong direction.`, `The authors advise against ${t.intervention} for this purpose.`],
    maybe: [design, `${capitalize(t.outcome)} improved in the first ${Math.max(2, Math.floor(months / 3))} months.`, `Then the effect faded (p = ${p(60, 200)}).`, `The authors call for a larger study.`],
  };
  const passages = [background, { title: `Results of the ${town} trial`, sentences: results[verdict] }];
  if (r.chance(0.5)) {
    passages.push({
      title: "Costs",
      sentences: [`Setting up ${t.intervention} cost about $${r.int(2, 90) * 100} per ${t.unit.replace(/s$/, "")}.`, `Maintenance was handled by ${r.pick(["volunteers", "the municipality", "a private contractor"])}.`],
    });
  }
  const question = r.pick([
    // Kept under 13 words: a research question is generic, so it must not look like a long
    // shared word sequence between unrelated cases.
    `${capitalize(does)} ${t.intervention} ${t.verb} ${t.outcome} in ${t.population}?`,
    `Can ${t.intervention} ${t.verb} ${t.outcome}?`,
    `In ${town}, ${does} ${t.intervention} ${t.verb} ${t.outcome}?`,
  ]);
  return { question, passages: r.shuffle(passages), verdict };
}

export async function writeVerdictTask(root: string, rng: Rng, scale: number): Promise<TaskDef> {
  const taken = new Set<string>();
  const key = (c: VerdictCase) => normalizeText(c.question + " " + c.passages.map((p) => p.sentences.join(" ")).join(" "));
  const fresh = (r: Rng, n: number) => distinct(n, () => verdictCase(r), key, taken);

  const bench = fresh(rng.fork("verdicts/benchmark"), scaled(120, scale));
  await writeJsonl(
    path.join(root, DIR, "benchmark.jsonl"),
    bench.map((c, i) => ({ case_id: `V${1000 + i}`, inquiry: c.question, evidence: c.passages.map((p) => ({ heading: p.title, lines: p.sentences })), verdict: c.verdict })),
  );

  const reg = fresh(rng.fork("verdicts/registry"), scaled(500, scale));
  await writeParquet(path.join(root, DIR, "trial_registry.parquet"), reg.map((c) => ({ question: c.question, passages: c.passages, verdict: c.verdict })));

  const bulRng = rng.fork("verdicts/bulletins");
  const bul = fresh(bulRng, scaled(300, scale));
  await writeParquet(
    path.join(root, DIR, "extension_bulletins.parquet"),
    bul.map((c) => ({
      bulletin: { headline: c.passages[0]!.title, paragraphs: c.passages.map((p) => p.sentences.join(" ")) },
      q: c.question,
      labels: { final: c.verdict, confidence: bulRng.int(60, 99) / 100 },
    })),
  );

  const notes = fresh(rng.fork("verdicts/notes"), scaled(300, scale));
  await writeJsonArray(
    path.join(root, DIR, "review_notes.json"),
    notes.map((c) => ({ topic: { ask: c.question, background: c.passages.map((p) => `${p.title}. ${p.sentences.join(" ")}`).join("\n") }, outcome: capitalize(c.verdict) })),
  );

  const noisyRng = rng.fork("verdicts/noisy");
  const noisy = fresh(noisyRng, scaled(250, scale)).map((c) => ({
    inquiry: c.question,
    context: noisyRng.chance(0.1) ? "" : c.passages.map((p) => p.sentences.join(" ")).join(" "),
    verdict: noisyRng.chance(0.3) ? noisyRng.pick(["yes", "no", "maybe", "unknown", "TBD"].filter((v) => v !== c.verdict)) : c.verdict,
  }));
  await writeJsonl(path.join(root, DIR, "forum_summaries.jsonl"), noisy);

  return {
    id: "unseen_trial_verdicts",
    domain: "evidence reading",
    instruction:
      "Adapt a base LLM to answer questions about field trials and workplace studies from the evidence passages given with each question. The answer must be exactly one word: yes, no or maybe.",
    benchmark: {
      id: "unseen_trial_verdicts_test",
      name: "Trial verdicts",
      description: "Held-out questions (inquiry) with evidence passages (list of {heading, lines}) and a yes/no/maybe verdict.",
      file: `${DIR}/benchmark.jsonl`,
      metric: "accuracy of the yes/no/maybe verdict",
      rows: bench.length,
    },
    sources: [
      {
        id: "trial_registry", file: `${DIR}/trial_registry.parquet`, role: "in-domain", license: "CC-BY-4.0", rows: reg.length,
        description: "In-domain: trial registry extracts in Parquet: question, passages (list of {title, sentences[]}), verdict (yes/no/maybe).",
      },
      {
        id: "extension_bulletins", file: `${DIR}/extension_bulletins.parquet`, role: "in-domain", license: "CC-BY-NC-4.0", rows: bul.length,
        description: "In-domain: extension-service bulletins in Parquet: bulletin{headline, paragraphs[]}, q, labels{final, confidence}.",
      },
      {
        id: "review_notes", file: `${DIR}/review_notes.json`, role: "in-domain", license: "Apache-2.0", rows: notes.length,
        description: "In-domain: reviewer notes as a JSON array of {topic: {ask, background}, outcome} with capitalised Yes/No/Maybe outcomes.",
      },
      {
        id: "forum_summaries", file: `${DIR}/forum_summaries.jsonl`, role: "noisy", license: "MIT", rows: noisy.length,
        description: "Noisy: forum summaries (inquiry, context, verdict); about a third of the verdicts are wrong or not a label ('unknown', 'TBD'), some contexts are empty.",
      },
    ],
    maxRecords: 1500,
  };
}
