/** Demo task 3: four-option multiple-choice questions on everyday science and geography. */
import path from "node:path";
import { normalizeText } from "../data/text.js";
import { FACTS, LETTERS, mcqItem, splitFacts, type Fact, type McqItem } from "./facts.js";
import { offDomainPair } from "./offdomain.js";
import { nearDuplicate, rewordSlightly } from "./perturb.js";
import { distinct, scaled, type TaskDef } from "./pool.js";
import type { Rng } from "./rng.js";
import { writeCsv, writeJsonArray, writeJsonl, writeParquet } from "./writers.js";

const DIR = "data/mcq";

const letter = (i: number) => LETTERS[i]!;

export async function writeMcqTask(root: string, rng: Rng, scale: number): Promise<TaskDef> {
  const { benchmark: benchFacts, train: trainFacts } = splitFacts(rng.fork("mcq/split"), 0.45);
  const taken = new Set<string>();
  const key = (m: McqItem) => normalizeText(m.question);
  const make = (r: Rng, facts: readonly Fact[], n: number, framed: () => boolean) =>
    distinct(n, () => mcqItem(r, r.pick(facts), framed()), key, taken);

  const benchRng = rng.fork("mcq/benchmark");
  const bench = make(benchRng, benchFacts, scaled(160, scale), () => true);
  await writeJsonl(
    path.join(root, DIR, "benchmark.jsonl"),
    bench.map((m) => ({ question: m.question, choices: m.options.map((text, i) => ({ label: letter(i), text })), answerKey: letter(m.answerIndex) })),
  );

  const bankRng = rng.fork("mcq/bank");
  const bank = make(bankRng, trainFacts, scaled(600, scale), () => bankRng.chance(0.7));
  await writeJsonl(
    path.join(root, DIR, "quiz_bank.jsonl"),
    bank.map((m, i) => ({
      id: `qb-${i + 1}`,
      question_text: m.question,
      options: Object.fromEntries(m.options.map((o, j) => [letter(j), o])),
      answer_idx: letter(m.answerIndex),
    })),
  );

  const cardRng = rng.fork("mcq/cards");
  const cards = make(cardRng, trainFacts, scaled(500, scale), () => cardRng.chance(0.5));
  await writeParquet(
    path.join(root, DIR, "flashcards.parquet"),
    cards.map((m) => ({ prompt: m.question, candidates: m.options, answer_index: m.answerIndex, subject: m.fact.area })),
  );

  const sheetRng = rng.fork("mcq/sheets");
  const sheets = make(sheetRng, trainFacts, scaled(400, scale), () => sheetRng.chance(0.6));
  await writeCsv(
    path.join(root, DIR, "worksheet_export.csv"),
    ["item", "choices", "gold"],
    sheets.map((m) => ({
      item: m.question,
      choices: m.options.map((o, j) => `${letter(j).toLowerCase()} ) ${o}`).join(" , "),
      gold: letter(m.answerIndex).toLowerCase(),
    })),
  );

  const noisyRng = rng.fork("mcq/noisy");
  const noisy = make(noisyRng, trainFacts, scaled(400, scale), () => noisyRng.chance(0.6)).map((m) => {
    const roll = noisyRng.next();
    let opts = m.options.slice();
    let keyOut: string = letter(m.answerIndex);
    if (roll < 0.3) keyOut = letter((m.answerIndex + noisyRng.int(1, 3)) % 4); // wrong key
    else if (roll < 0.38) keyOut = noisyRng.pick(["E", "", "none", "?"]); // key outside the options
    else if (roll < 0.45) opts = opts.slice(0, noisyRng.int(0, 2)); // options lost in the scrape
    else if (roll < 0.5) opts = opts.map((o, j) => (j === m.answerIndex ? o : opts[(m.answerIndex + 1) % 4]!)); // repeated options
    return { q: noisyRng.chance(0.05) ? "" : m.question, opts, key: keyOut };
  });
  await writeJsonl(path.join(root, DIR, "crowd_quiz.jsonl"), noisy);

  const offRng = rng.fork("mcq/offdomain");
  const off = Array.from({ length: scaled(300, scale) }, () => {
    const o = offDomainPair(offRng);
    return { topic: o.category, ask: o.prompt, tip: o.response };
  });
  await writeJsonArray(path.join(root, DIR, "household_tips.json"), off);

  const dupRng = rng.fork("mcq/duplicates");
  const bases = make(dupRng, trainFacts, scaled(40, scale, 4), () => true);
  const dups = Array.from({ length: scaled(350, scale) }, () => {
    const m = dupRng.pick(bases);
    const stem = dupRng.chance(0.4) ? m.question : nearDuplicate(dupRng, m.question);
    return { stem, A: m.options[0]!, B: m.options[1]!, C: m.options[2]!, D: m.options[3]!, answer: letter(m.answerIndex) };
  });
  await writeJsonl(path.join(root, DIR, "quiz_mirror.jsonl"), dups);

  const leakRng = rng.fork("mcq/leak");
  const leakFresh = make(leakRng, trainFacts, scaled(50, scale, 4), () => true);
  const leak = Array.from({ length: scaled(200, scale) }, (_, i) => {
    const fromBench = leakRng.chance(0.8);
    const m = fromBench ? leakRng.pick(bench) : leakFresh[i % leakFresh.length]!;
    const q = fromBench && leakRng.chance(0.5) ? rewordSlightly(leakRng, m.question) : m.question;
    return { q, correct_answer_text: m.options[m.answerIndex]!, wrong_answers: m.options.filter((_, j) => j !== m.answerIndex) };
  });
  await writeJsonl(path.join(root, DIR, "answer_key_dump.jsonl"), leak);

  return {
    id: "demo_science_mcq",
    domain: "general knowledge",
    instruction:
      "Adapt a base LLM to answer four-option multiple-choice questions about everyday science and geography. The answer must be only the letter of the correct option: A, B, C or D.",
    benchmark: {
      id: "demo_science_mcq_test",
      name: "Demo science and geography MCQ",
      description: `Held-out four-option questions (question, choices as a list of {label, text}, answerKey A-D) drawn from a table of ${FACTS.length} everyday facts.`,
      file: `${DIR}/benchmark.jsonl`,
      metric: "accuracy of the predicted option letter",
      rows: bench.length,
    },
    sources: [
      {
        id: "quiz_bank", file: `${DIR}/quiz_bank.jsonl`, role: "in-domain", license: "CC-BY-4.0", rows: bank.length,
        description: "In-domain: school quiz bank (id, question_text, options as a dict keyed A-D, answer_idx letter).",
      },
      {
        id: "flashcards", file: `${DIR}/flashcards.parquet`, role: "in-domain", license: "Apache-2.0", rows: cards.length,
        description: "In-domain: flashcard deck in Parquet (prompt, candidates as a list of strings, answer_index as a 0-based integer, subject).",
      },
      {
        id: "worksheet_export", file: `${DIR}/worksheet_export.csv`, role: "in-domain", license: "CC-BY-NC-4.0", rows: sheets.length,
        description: "In-domain: worksheet export as CSV (item, choices in one string like 'a ) x , b ) y', gold as a lower-case letter).",
      },
      {
        id: "crowd_quiz", file: `${DIR}/crowd_quiz.jsonl`, role: "noisy", license: "MIT", rows: noisy.length,
        description: "Noisy: crowd-sourced quiz (q, opts list, key); about a third of the keys are wrong, some keys are outside the options, some option lists are cut short or repeat an option.",
      },
      {
        id: "household_tips", file: `${DIR}/household_tips.json`, role: "off-domain", license: "CC0-1.0", rows: off.length,
        description: "Off-domain: cooking, gardening and travel tips as a JSON array of {topic, ask, tip}; no multiple-choice questions.",
      },
      {
        id: "quiz_mirror", file: `${DIR}/quiz_mirror.jsonl`, role: "duplicate-heavy", license: "CC-BY-SA-4.0", rows: dups.length,
        description: "Duplicate-heavy: a quiz-app mirror with flat option columns (stem, A, B, C, D, answer); a few dozen questions repeated many times, exactly or with case and spacing changes.",
      },
      {
        id: "answer_key_dump", file: `${DIR}/answer_key_dump.jsonl`, role: "leaks the benchmark", license: "CC-BY-NC-4.0", rows: leak.length,
        description: "Leaks the benchmark: an answer-key dump (q, correct_answer_text, wrong_answers) where most questions are benchmark items, copied or lightly reworded.",
      },
    ],
    maxRecords: 2000,
  };
}
