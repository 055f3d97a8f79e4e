/**
 * The CPU downstream proxy: a small classifier trained on a recipe's training set and scored on
 * the benchmark, for tasks whose answers are labels.
 *  - label tasks (a label word, yes/no/maybe): multinomial logistic regression on hashed word
 *    and character n-grams of the user turn;
 *  - option-letter tasks whose options are in the user turn: the same model ranks the options
 *    from (question, option) features: option text n-grams, question-word x option-word
 *    crosses, overlap with the question and the letter itself.
 * Every training record counts, as in fine-tuning: an answer that is not a label (a refusal, a
 * truncated or off-task answer) is an extra "other" class the model may learn to predict, which
 * is always wrong on the benchmark.
 * What it measures: whether the labels can be learned from the data and whether the data's
 * inputs look like the benchmark's. It is not an LLM's downstream score: it knows no world
 * knowledge, cannot reason, and ignores rationales.
 */
import { readFileSync } from "node:fs";
import { assistantText, chatRecordError, userText, type ChatRecord } from "../../data/chat.js";
import type { TaskContract } from "../../task/contract.js";
import { checkAnswerFormat, parseOptions } from "../../verify/answer-format.js";
import { concat, featureStrings, fnv1a, hashFeatures, hashStrings, vectorize, words, type SparseVec } from "./features.js";
import { ConditionalLogit, type Example, type TrainOptions } from "./logreg.js";

export type ProxyKind = "label" | "option";

/** The proxy applies to label answers, and to option letters whose options the user turn lists. */
export function proxyKindOf(contract: TaskContract): ProxyKind | null {
  if (contract.answer.kind === "label" && contract.answer.labels.length >= 2) return "label";
  if (contract.answer.kind === "option_letter" && contract.hasOptions) return "option";
  return null;
}

const BITS = 18;
const OPTION_LINE = /^\s*[([]?[A-Za-z][)\].:]\s+/;

/** The class of answers that are not a label (or not a listed option). */
export const OTHER = "\u0000other";

function labelExample(user: string, gold: number, labels: string[]): Example {
  // features conjoined with each label (and "other"): multinomial logistic regression as a conditional logit
  const base = [...hashStrings(featureStrings(user)), fnv1a("bias")];
  return { gold, candidates: [...labels, OTHER].map((l) => vectorize(base, BITS, fnv1a(`label:${l}`))) };
}

function optionExample(user: string, gold: number, options: { letter: string; text: string }[]): Example {
  // the last candidate is "none of the options" (answers that name no listed letter)
  const stem = user
    .split("\n")
    .filter((l) => !OPTION_LINE.test(l))
    .join("\n");
  const stemWords = [...new Set(words(stem, 200))].slice(-40);
  const stemSet = new Set(stemWords);
  return {
    gold,
    candidates: options.map((o) => {
      const ow = [...new Set(words(o.text, 12))];
      const own = hashFeatures(featureStrings(o.text, "o|"), BITS);
      const crosses = hashFeatures(
        stemWords.flatMap((q) => ow.map((w) => `x|${q}|${w}`)),
        BITS,
      );
      const overlap = ow.filter((w) => stemSet.has(w)).length;
      const meta = hashFeatures([`L|${o.letter.toUpperCase()}`, `ov|${Math.min(3, overlap)}`, `len|${Math.min(6, ow.length)}`], BITS);
      return concat(own, crosses, meta);
    }).concat([hashFeatures([OTHER], BITS)]),
  };
}

/**
 * One chat record as a proxy example. An answer that is not one of the labels (or listed
 * options) gets the "other" candidate as gold; null only when the record cannot be placed at
 * all (an option task's record without options).
 */
export function toExample(user: string, assistant: string, contract: TaskContract, kind: ProxyKind): Example | null {
  const fmt = checkAnswerFormat(assistant, contract);
  if (kind === "label") {
    if (contract.answer.kind !== "label") return null;
    const labels = contract.answer.labels;
    const gold = fmt.ok ? labels.indexOf(fmt.final) : -1;
    return labelExample(user, gold >= 0 ? gold : labels.length, labels);
  }
  const options = parseOptions(user);
  if (options.length < 2) return null;
  const gold = fmt.ok ? options.findIndex((o) => o.letter.toUpperCase() === fmt.final.toUpperCase()) : -1;
  return optionExample(user, gold >= 0 ? gold : options.length, options);
}

/** The example's gold is the "other" candidate (always last). */
export function isOther(ex: Example): boolean {
  return ex.gold === ex.candidates.length - 1;
}

/** Chat records of a data.jsonl (malformed lines skipped). */
export function readChat(file: string): ChatRecord[] {
  const out: ChatRecord[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as unknown;
      if (chatRecordError(r) === null) out.push(r as ChatRecord);
    } catch {
      // not a record: the verifier counts these, the proxy skips them
    }
  }
  return out;
}

export function examplesOf(records: ChatRecord[], contract: TaskContract, kind: ProxyKind, cap = Infinity): { examples: Example[]; skipped: number } {
  const examples: Example[] = [];
  let skipped = 0;
  for (const r of records) {
    if (examples.length >= cap) break;
    const ex = toExample(userText(r), assistantText(r), contract, kind);
    if (ex) examples.push(ex);
    else skipped++;
  }
  return { examples, skipped };
}

export interface ProxyScore {
  accuracy: number;
  trained: number;
  /** Training records whose answer is not a label or listed option (trained as "other"). */
  other: number;
  /** Training records that could not be placed at all (no options in an option task). */
  skipped: number;
  evaluated: number;
}

/**
 * Trains on `train` and scores on `test` (the benchmark, formatted like the recipes' user turns).
 * Training records beyond `cap` are left out (spread evenly, so order effects do not matter).
 */
export function proxyScore(train: ChatRecord[], test: Example[], contract: TaskContract, kind: ProxyKind, opts: TrainOptions & { cap?: number } = {}): ProxyScore {
  const cap = opts.cap ?? 5000;
  const step = train.length > cap ? train.length / cap : 1;
  const spread = step > 1 ? Array.from({ length: cap }, (_, i) => train[Math.floor(i * step)]!) : train;
  const { examples, skipped } = examplesOf(spread, contract, kind);
  const model = new ConditionalLogit(BITS);
  if (examples.length) model.fit(examples, { epochs: 5, lr: 0.5, l2: 1e-5, seed: 1, ...opts });
  return { accuracy: examples.length ? model.accuracy(test) : 0, trained: examples.length, other: examples.filter(isOther).length, skipped, evaluated: test.length };
}

/** Accuracy of always answering the most frequent benchmark answer (the floor to read the proxy against). */
export function majorityAccuracy(test: Example[]): number {
  if (!test.length) return 0;
  const counts = new Map<string, number>();
  for (const ex of test) {
    // for options the "class" is the gold position (letter); for labels it is the label index
    const key = String(ex.gold);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return Math.max(...counts.values()) / test.length;
}

export type { SparseVec };
