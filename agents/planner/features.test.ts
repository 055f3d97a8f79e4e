import { SOURCE_FEATURES } from "../../src/rl/policy-params.js";
import {
  analyseSource,
  hasTemplateLeak,
  isEcho,
  isRepetitive,
  lengthFit,
  lengthTail,
  licenseClass,
  looksLikeCode,
  looksReasoned,
  recordCapacity,
  relativeRelevance,
  rolesOf,
  sourceFeatures,
  textsAt,
} from "./features.js";
import { LABEL_CONTRACT, MARKER_CONTRACT, makeProfile, wordProblemScenario } from "./testing.js";

const rawCompletion =
  " If you have any questions about my rate, please let me know as soon as possible.\n\nInput: The company has been in business for over 20 years.\nOutput: The company has been in business for over 20 years.";

describe("quality signals", () => {
  test("echo: an answer repeating the input, not a short answer sharing numbers", () => {
    const instruction = "Rewrite the sentence to be more concise, keeping its meaning.";
    const input = "If you have any questions about my rate, please let me know as soon as possible.";
    expect(isEcho(rawCompletion, [instruction, input])).toBe(true);
    expect(isEcho("10 apples", ["There are 6 red and 4 green apples. How many apples?"])).toBe(false);
    expect(isEcho("Each bag has 4 apples, so 3 bags hold 3 * 4 = 12 apples. #### 12", ["Tom buys 3 bags with 4 apples each. How many apples?"])).toBe(false);
    // An extractive answer is a short span of a long passage: not an echo.
    const passage =
      "Sales by contract type: substantially all of our contracts are fixed-price type contracts. Sales included in other contract types represent cost plus and time and material type contracts. Revenue grew in every segment during the year.";
    expect(isEcho("substantially all of our contracts are fixed-price type contracts", ["What type of contracts are most contracts?", passage])).toBe(false);
  });

  test("repetition and template leaks", () => {
    expect(isRepetitive(Array(30).fill("Sincerely,").join(" "))).toBe(true);
    expect(isRepetitive("Natalia sold 48/2 = 24 clips in May. Natalia sold 48+24 = 72 clips altogether in April and May. #### 72")).toBe(false);
    expect(hasTemplateLeak(rawCompletion)).toBe(true);
    expect(hasTemplateLeak("x = 7 - 2 = 5\nThe answer is 5.")).toBe(false);
  });

  test("answer shapes", () => {
    expect(looksReasoned("She sells 16 - 3 - 4 = 9 eggs a day.\nShe makes 9 * 2 = 18 dollars every day.\n#### 18")).toBe(true);
    expect(looksReasoned("18")).toBe(false);
    expect(looksLikeCode("def add(a, b):\n    return a + b")).toBe(true);
    expect(looksLikeCode("The capital of France is Paris.")).toBe(false);
  });

  test("licence classes", () => {
    expect(licenseClass("CC-BY-NC-4.0")).toBe("noncommercial");
    expect(licenseClass("cc-by-nc-sa-3.0")).toBe("noncommercial");
    expect(licenseClass("Non-commercial research licence")).toBe("noncommercial");
    expect(licenseClass("MIT")).toBe("open");
    expect(licenseClass("Apache-2.0")).toBe("open");
    expect(licenseClass("CC-BY-SA-4.0")).toBe("open");
    expect(licenseClass(undefined)).toBe("unknown");
    expect(licenseClass("unknown")).toBe("unknown");
  });
});

describe("paths and roles", () => {
  test("textsAt flattens [] steps and nested values, and stringifies scalars", () => {
    const rec = { question: { stem: "Q?", choices: [{ label: "A", text: "bank" }, { label: "B", text: "mall" }] }, answerKey: "A", n: 3 };
    expect(textsAt(rec, "question.choices[].text")).toEqual(["bank", "mall"]);
    expect(textsAt(rec, "question.choices")).toEqual(["A", "bank", "B", "mall"]);
    expect(textsAt(rec, "question.stem")).toEqual(["Q?"]);
    expect(textsAt(rec, "n")).toEqual(["3"]);
    expect(textsAt(rec, "missing.path")).toEqual([]);
  });

  test("roles come from the mapping, options never count as echo input, names are the fallback", () => {
    const p = makeProfile({ id: "x", examples: [{ sentence: "Profits rose.", sentiment: "positive", id: 1 }] });
    const r = rolesOf({ ok: true, score: 1, roles: { question: "q", options: "opts", answer: "a", rationale: ["r1"], system: "s" }, answerTransform: "", notes: [] }, p);
    expect(r.answer).toEqual(["a", "r1"]);
    expect(r.input).toEqual(["q", "opts"]);
    expect(r.echoInput).toEqual(["q"]);
    const guessed = rolesOf({ ok: true, score: 1, roles: {}, answerTransform: "", notes: [] }, p);
    expect(guessed.answer).toEqual(["sentiment"]);
    expect(guessed.input).toEqual(["sentence"]);
  });
});

describe("source features", () => {
  const s = wordProblemScenario();
  const ctx = { relevanceMax: 0.136, relevanceMin: 0.053 };
  const feats = Object.fromEntries(s.profiles.map((p) => [p.id, sourceFeatures(p, s.mapper(p), s.contract, s.task, ctx)]));

  test("every feature is present and in 0..1", () => {
    for (const f of Object.values(feats)) {
      expect(Object.keys(f).sort()).toEqual([...SOURCE_FEATURES].sort());
      for (const v of Object.values(f)) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
  });

  test("separate in-domain, short-answer and raw-completion sources", () => {
    expect(feats.src_a!.relevance_rel).toBe(1);
    expect(feats.src_a!.answer_shape).toBe(1); // reasoned answers
    expect(feats.src_b!.answer_shape).toBe(0); // bare numbers for a reasoning benchmark
    expect(feats.src_g!.template_leak_rate).toBe(1);
    expect(feats.src_g!.echo_rate).toBeGreaterThan(0.5);
    expect(feats.src_a!.echo_rate + feats.src_a!.template_leak_rate + feats.src_a!.repetition_rate).toBe(0);
    expect(feats.src_c!.license_open).toBe(0);
    expect(feats.src_a!.license_open).toBe(1);
  });

  test("empty answers come from examples and from field presence", () => {
    const examples = [
      { sentence: "Profits rose sharply.", sentiment: "positive" },
      { sentence: "Sales fell.", sentiment: "" },
      { sentence: "The board met.", sentiment: "N/A" },
      { sentence: "Shares were flat.", sentiment: "neutral" },
    ];
    const p = makeProfile({ id: "fin", examples });
    const m = { ok: true, score: 0.9, roles: { question: "sentence", answer: "sentiment" }, answerTransform: "identity", notes: [] };
    const a = analyseSource(p, m, LABEL_CONTRACT, { maxRecords: 100 });
    expect(a.features.empty_answer_rate).toBeCloseTo(0.5);
    expect(a.quality.shapedAnswers).toBe(2);
    const absent = makeProfile({ id: "fin2", examples: examples.slice(0, 1) });
    absent.fields = absent.fields.map((f) => (f.path === "sentiment" ? { ...f, presence: 0.4 } : f));
    expect(analyseSource(absent, m, LABEL_CONTRACT, { maxRecords: 100 }).features.empty_answer_rate).toBeCloseTo(0.6);
  });

  test("input length uses field statistics over truncated examples, with array items", () => {
    const p = makeProfile({ id: "ctx", examples: [{ q: "short?", ctx: ["a", "b"], a: "yes" }] });
    p.fields = [
      { path: "q", types: { string: 1 }, presence: 1, meanChars: 100 },
      { path: "ctx", types: { array: 1 }, presence: 1, meanItems: 3 },
      { path: "ctx[]", types: { string: 3 }, presence: 1, meanChars: 300 },
      { path: "a", types: { string: 1 }, presence: 1, meanChars: 3 },
    ];
    const m = { ok: true, score: 1, roles: { question: "q", context: "ctx[]", answer: "a" }, answerTransform: "", notes: [] };
    expect(analyseSource(p, m, MARKER_CONTRACT, { maxRecords: 10 }).quality.inputChars).toBeCloseTo(1000);
  });

  test("exploded sources: capacity counts items, quality is judged per item", () => {
    const passage = "Revenue rose to 120 million dollars in 2019 while costs stayed flat at 80 million dollars across all segments of the business.";
    const examples = [0, 1, 2].map((i) => ({
      paragraphs: [passage],
      questions: [
        { question: `What was revenue in year ${i}?`, answer: "120 million dollars" },
        { question: "What were the costs?", answer: "80 million dollars" },
      ],
    }));
    const p = makeProfile({ id: "tables", rows: 300, examples });
    p.fields = [...p.fields.filter((f) => f.path !== "questions"), { path: "questions", types: { array: 3 }, presence: 1, meanItems: 6 }];
    const m = { ok: true, score: 0.9, roles: { question: "questions[].question", context: ["paragraphs"], answer: "questions[].answer" }, explode: "questions", answerTransform: "text", notes: [] };
    const free = { ...MARKER_CONTRACT, answer: { kind: "free_text" as const }, reasoning: false };
    const a = analyseSource(p, m, free, { maxRecords: 10000 });
    expect(recordCapacity(p, m)).toBe(1800);
    expect(a.capacity).toBe(1800);
    expect(a.quality.examples).toBe(6);
    expect(a.quality.echoAnswers).toBe(0); // spans of the passage are not echoes
    expect(a.quality.shapedAnswers).toBe(6);
    expect(recordCapacity(p, { explode: undefined })).toBe(300);
  });

  test("length helpers", () => {
    expect(lengthFit(220, 220)).toBeCloseTo(1);
    expect(lengthFit(660, 220)).toBeCloseTo(0.5);
    expect(lengthFit(undefined, 220)).toBe(0.5);
    const p = makeProfile({ id: "t", examples: [{ a: "x" }] });
    p.textLength = { mean: 100, p50: 100, p95: 2000, max: 40000 };
    expect(lengthTail(p)).toBeCloseTo(0.75);
    p.textLength = { mean: 100, p50: 100, p95: 190, max: 350 };
    expect(lengthTail(p)).toBe(0);
    p.textLength = { mean: 100, p50: 100, p95: 1000, max: 1500 };
    expect(lengthTail(p)).toBeCloseTo(0.5 * Math.log10(5));
  });

  test("relative relevance: best is 1, a flat candidate set is not spread out", () => {
    expect(relativeRelevance(0.136, ctx)).toBe(1);
    expect(relativeRelevance(0.053, ctx)).toBe(0);
    expect(relativeRelevance(0.12, { relevanceMax: 0.13, relevanceMin: 0.12 })).toBeGreaterThan(0.8);
    expect(relativeRelevance(0.1, { relevanceMax: 0, relevanceMin: 0 })).toBe(0);
  });
});
