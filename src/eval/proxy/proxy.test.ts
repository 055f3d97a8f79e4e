import { chat, LABEL_CONTRACT, OPTION_CONTRACT } from "../testing/fixtures.js";
import { featureStrings, fnv1a, hashFeatures } from "./features.js";
import { ConditionalLogit } from "./logreg.js";
import { examplesOf, isOther, majorityAccuracy, proxyKindOf, proxyScore, toExample } from "./proxy.js";

test("hashed features are L2-normalised and deterministic", () => {
  expect(fnv1a("abc")).toBe(fnv1a("abc"));
  const v = hashFeatures(featureStrings("Profits rose sharply, profits rose"));
  const norm = Math.sqrt([...v.val].reduce((s, x) => s + x * x, 0));
  expect(norm).toBeCloseTo(1, 5);
  expect(hashFeatures(featureStrings("same text")).idx).toEqual(hashFeatures(featureStrings("same text")).idx);
});

const pos = ["profits rose", "sales grew strongly", "record earnings", "shares jumped", "revenue increased"];
const neg = ["profits fell", "sales dropped sharply", "heavy losses", "shares plunged", "revenue decreased"];
const neu = ["the meeting is on monday", "the office is in helsinki", "the report covers 2009", "the ceo spoke", "the firm has staff"];
function labelled(seed: number) {
  const out = [];
  for (let i = 0; i < 60; i++) {
    const k = (i + seed) % 3;
    const bank = [pos, neg, neu][k]!;
    out.push(chat(`Company ${i}: ${bank[(i * 7 + seed) % 5]} in the quarter.`, ["positive", "negative", "neutral"][k]!));
  }
  return out;
}

test("the label proxy learns a learnable task and degrades with wrong labels", () => {
  expect(proxyKindOf(LABEL_CONTRACT)).toBe("label");
  const test = examplesOf(labelled(1), LABEL_CONTRACT, "label").examples;
  const good = proxyScore(labelled(2), test, LABEL_CONTRACT, "label");
  expect(good.accuracy).toBeGreaterThan(0.9);
  const flipped = labelled(2).map((r) => chat(r.messages[1]!.content, "positive"));
  expect(proxyScore(flipped, test, LABEL_CONTRACT, "label").accuracy).toBeLessThan(0.5);
  expect(majorityAccuracy(test)).toBeCloseTo(1 / 3, 1);
});

test("the option proxy ranks options by what the data pairs with the question", () => {
  expect(proxyKindOf(OPTION_CONTRACT)).toBe("option");
  const pairs = [
    ["Where do you keep milk cold?", "fridge"],
    ["Where do you sleep at night?", "bed"],
    ["Where do you wash dishes?", "sink"],
    ["Where do you park a car?", "garage"],
  ];
  const fill = ["fridge", "bed", "sink", "garage", "attic"];
  const rec = (q: string, a: string, shift: number) => {
    const opts = fill.slice(shift).concat(fill.slice(0, shift));
    const letter = "ABCDE"[opts.indexOf(a)]!;
    return chat(`${q}\n${opts.map((o, i) => `${"ABCDE"[i]}. ${o}`).join("\n")}`, letter);
  };
  const train = Array.from({ length: 80 }, (_, i) => rec(pairs[i % 4]![0]!, pairs[i % 4]![1]!, i % 5));
  const test = examplesOf([0, 1, 2, 3].map((k) => rec(pairs[k]![0]!, pairs[k]![1]!, (k + 2) % 5)), OPTION_CONTRACT, "option").examples;
  expect(test).toHaveLength(4);
  expect(proxyScore(train, test, OPTION_CONTRACT, "option").accuracy).toBe(1);
  expect(toExample("no options here", "A", OPTION_CONTRACT, "option")).toBeNull();
});

test("conditional logit on a toy problem", () => {
  const m = new ConditionalLogit(10);
  const a = hashFeatures(["a"], 10);
  const b = hashFeatures(["b"], 10);
  const ex = Array.from({ length: 20 }, (_, i) => ({ candidates: i % 2 ? [a, b] : [b, a], gold: i % 2 ? 0 : 1 }));
  m.fit(ex, { epochs: 5, lr: 0.5 });
  expect(m.accuracy(ex)).toBe(1);
});

test("answers that are not labels are learned as 'other', as fine-tuning would learn them", () => {
  const test = examplesOf(labelled(1), LABEL_CONTRACT, "label").examples;
  const ex = toExample("Shares fell.", "I'm sorry, but I can't help with that.", LABEL_CONTRACT, "label")!;
  expect(isOther(ex)).toBe(true);
  const clean = labelled(2);
  const refusals = clean.map((r, i) => (i % 3 ? chat(r.messages[1]!.content, "I'm sorry, but I can't help with that.") : r));
  const a = proxyScore(clean, test, LABEL_CONTRACT, "label");
  const b = proxyScore(refusals, test, LABEL_CONTRACT, "label");
  expect(b.other).toBe(40);
  expect(b.accuracy).toBeLessThan(a.accuracy);
});
