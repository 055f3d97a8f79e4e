/** Demo task 1: multi-step arithmetic word problems with `#### <number>` answers. */
import path from "node:path";
import { normalizeText } from "../data/text.js";
import { fmtNum, markerAnswer, mathProblem, mathQuestion, type MathProblem } from "./math.js";
import { offDomainPair } from "./offdomain.js";
import { nearDuplicate, rewordSlightly } from "./perturb.js";
import { distinct, scaled, type TaskDef } from "./pool.js";
import type { Rng } from "./rng.js";
import { writeCsv, writeJsonArray, writeJsonl, writeParquet } from "./writers.js";

const DIR = "data/math";

/** A worked solution made wrong in one step: the printed result is off, and so is the answer. */
function corruptArithmetic(r: Rng, p: MathProblem): { steps: string[]; answer: number } {
  const i = r.int(0, p.steps.length - 1);
  const delta = r.pick([-10, -3, -2, -1, 1, 2, 3, 7, 10]);
  const steps = p.steps.slice();
  steps[i] = steps[i]!.replace(/= (-?\d+(?:\.\d+)?)/, (_, c: string) => `= ${fmtNum(Number(c) + delta)}`);
  return { steps, answer: p.answer + delta };
}

function noisyRow(r: Rng, p: MathProblem): { prompt: string; response: string } {
  let prompt = mathQuestion(p);
  if (r.chance(0.15)) prompt += r.pick([" pls help!!", " (due tomorrow)", "&nbsp;", " thx"]);
  const roll = r.next();
  let response: string;
  if (roll < 0.3) {
    const bad = corruptArithmetic(r, p);
    response = `${bad.steps.join(" ")} Answer: ${fmtNum(bad.answer)}`;
  } else if (roll < 0.4) {
    // Cut off mid-solution, as scraped answers often are.
    const kept = p.steps.slice(0, Math.max(1, p.steps.length - 2)).join(" ");
    response = kept.slice(0, Math.max(10, Math.floor(kept.length * 0.7)));
  } else if (roll < 0.48) response = "";
  else if (roll < 0.53) response = r.pick(["idk", "see the picture I attached", "<p>&nbsp;</p>", "same question as above??", "N/A"]);
  else response = `${p.steps.join(" ")} Answer: ${fmtNum(p.answer)}`;
  return { prompt, response };
}

export async function writeMathTask(root: string, rng: Rng, scale: number): Promise<TaskDef> {
  const taken = new Set<string>();
  const key = (p: MathProblem) => normalizeText(mathQuestion(p));
  const fresh = (r: Rng, n: number) => distinct(n, () => mathProblem(r), key, taken);

  const benchRng = rng.fork("math/benchmark");
  const bench = fresh(benchRng, scaled(200, scale));
  await writeJsonl(path.join(root, DIR, "benchmark.jsonl"), bench.map((p) => ({ question: mathQuestion(p), answer: markerAnswer(p) })));

  const csv = fresh(rng.fork("math/worksheets"), scaled(900, scale));
  await writeCsv(
    path.join(root, DIR, "worksheet_solutions.csv"),
    ["problem", "solution_steps", "final"],
    csv.map((p) => ({ problem: mathQuestion(p), solution_steps: p.steps.join("\n"), final: fmtNum(p.answer) })),
  );

  const pq = fresh(rng.fork("math/tutor"), scaled(600, scale));
  await writeParquet(
    path.join(root, DIR, "tutor_archive.parquet"),
    pq.map((p) => ({ meta: { grade: p.grade, topic: p.topic }, body: p.context, query: p.query, rationale: p.steps, result: { value: p.answer, unit: p.unit } })),
  );

  const drills = fresh(rng.fork("math/drills"), scaled(300, scale));
  await writeJsonArray(
    path.join(root, DIR, "contest_drills.json"),
    drills.map((p, i) => ({ id: `CD-${String(i + 1).padStart(4, "0")}`, statement: mathQuestion(p), answer_number: p.answer })),
  );

  const noisyRng = rng.fork("math/noisy");
  const noisy = fresh(noisyRng, scaled(500, scale)).map((p) => noisyRow(noisyRng, p));
  await writeJsonl(path.join(root, DIR, "homework_forum.jsonl"), noisy);

  const offRng = rng.fork("math/offdomain");
  const off = Array.from({ length: scaled(300, scale) }, () => {
    const o = offDomainPair(offRng);
    return { category: o.category, prompt: o.prompt, reply: o.response };
  });
  await writeJsonl(path.join(root, DIR, "kitchen_and_travel_qa.jsonl"), off);

  const dupRng = rng.fork("math/duplicates");
  const bases = fresh(dupRng, scaled(60, scale, 6));
  const dups = Array.from({ length: scaled(400, scale) }, () => {
    const p = dupRng.pick(bases);
    const text = dupRng.chance(0.4) ? mathQuestion(p) : nearDuplicate(dupRng, mathQuestion(p));
    return { text, solution: `${p.steps.join(" ")} Final answer: ${fmtNum(p.answer)}` };
  });
  await writeJsonl(path.join(root, DIR, "drill_mirror.jsonl"), dups);

  const leakRng = rng.fork("math/leak");
  const leakFresh = fresh(leakRng, scaled(80, scale, 4));
  const leak = Array.from({ length: scaled(250, scale) }, (_, i) => {
    const fromBench = leakRng.chance(0.7) || leakFresh.length === 0;
    const p = fromBench ? leakRng.pick(bench) : leakFresh[i % leakFresh.length]!;
    const input = fromBench && leakRng.chance(0.6) ? rewordSlightly(leakRng, mathQuestion(p)) : mathQuestion(p);
    const a = fmtNum(p.answer);
    return { input, target: leakRng.pick([`The answer is ${a}.`, `${a} ${p.unit}`, `Answer: ${a}`]) };
  });
  await writeJsonl(path.join(root, DIR, "scraped_quiz_site.jsonl"), leak);

  return {
    id: "demo_math_word",
    domain: "math",
    instruction:
      "Adapt a base LLM to solve multi-step arithmetic word problems (shopping, travel, work rates, savings, percentages). Answers should reason step by step, one calculation per line, and end with a final line of the form '#### <number>'.",
    benchmark: {
      id: "demo_math_word_test",
      name: "Demo word problems",
      description: "Held-out multi-step arithmetic word problems; each answer is a step-by-step worked solution ending in '#### <number>'.",
      file: `${DIR}/benchmark.jsonl`,
      metric: "accuracy of the final number after '####'",
      rows: bench.length,
    },
    sources: [
      {
        id: "worksheet_solutions", file: `${DIR}/worksheet_solutions.csv`, role: "in-domain", license: "CC-BY-4.0", rows: csv.length,
        description: "In-domain: teacher worksheet word problems as CSV (problem, solution_steps with one calculation per line, final numeric answer).",
      },
      {
        id: "tutor_archive", file: `${DIR}/tutor_archive.parquet`, role: "in-domain", license: "Apache-2.0", rows: pq.length,
        description: "In-domain: tutoring-site archive in Parquet with nested fields: meta{grade, topic}, body (situation), query (question), rationale (list of steps), result{value, unit}.",
      },
      {
        id: "contest_drills", file: `${DIR}/contest_drills.json`, role: "in-domain", license: "CC-BY-NC-4.0", rows: drills.length,
        description: "In-domain: speed-drill word problems (JSON array of id, statement, answer_number) with final answers only, no worked solutions.",
      },
      {
        id: "homework_forum", file: `${DIR}/homework_forum.jsonl`, role: "noisy", license: "CC-BY-SA-4.0", rows: noisy.length,
        description: "Noisy: homework-help forum posts (prompt, response). About a third of the answers contain an arithmetic mistake; others are cut off, empty or not answers at all.",
      },
      {
        id: "kitchen_and_travel_qa", file: `${DIR}/kitchen_and_travel_qa.jsonl`, role: "off-domain", license: "CC0-1.0", rows: off.length,
        description: "Off-domain: cooking, gardening and travel questions with answers (category, prompt, reply); fluent instructions, but no math word problems.",
      },
      {
        id: "drill_mirror", file: `${DIR}/drill_mirror.jsonl`, role: "duplicate-heavy", license: "MIT", rows: dups.length,
        description: "Duplicate-heavy: a mirror of a practice site (text, solution ending in 'Final answer: N'); a few dozen problems repeated many times, exactly or with case and spacing changes.",
      },
      {
        id: "scraped_quiz_site", file: `${DIR}/scraped_quiz_site.jsonl`, role: "leaks the benchmark", license: "CC-BY-NC-4.0", rows: leak.length,
        description: "Leaks the benchmark: a scraped quiz site (input, terse target) where most questions are benchmark items copied verbatim or lightly reworded.",
      },
    ],
    maxRecords: 2000,
  };
}
