import { seededRandom } from "../data/sample.js";
import { LabelModel } from "./label-model.js";

/** A synthetic labelled benchmark where words decide the label. */
function examples(n: number): { text: string; label: string }[] {
  const up = ["rose", "increased", "grew", "improved", "climbed"];
  const down = ["fell", "decreased", "dropped", "declined", "slumped"];
  const neutral = ["is located in", "was founded in", "operates in", "has offices in", "is based in"];
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    const w = i % 5;
    const company = `Company${i % 17}`;
    if (k === 0) out.push({ text: `${company} net sales ${up[w]} by ${i % 30} percent in the quarter`, label: "positive" });
    else if (k === 1) out.push({ text: `${company} operating profit ${down[w]} by ${i % 30} percent in the quarter`, label: "Negative" });
    else out.push({ text: `${company} ${neutral[w]} Helsinki , Finland`, label: "neutral" });
  }
  return out;
}

describe("LabelModel", () => {
  const labels = ["positive", "negative", "neutral"];

  it("is calibrated on the benchmark and contradicts confidently wrong labels", () => {
    const m = new LabelModel(examples(300), labels);
    expect(m.info.usable).toBe(true);
    expect(m.info.precision).toBeGreaterThanOrEqual(0.9);
    const text = "Company3 net sales grew by 12 percent in the quarter";
    expect(m.opinion(text, "positive")).toMatchObject({ predicted: "positive", disagrees: false });
    expect(m.opinion(text, "negative")).toMatchObject({ predicted: "positive", disagrees: true });
  });

  it("stays silent when it cannot be trusted", () => {
    // Labels independent of the text: cross-validation cannot reach 90% precision.
    const rand = seededRandom(5);
    const noisy = examples(300).map((e) => ({ text: e.text, label: labels[Math.floor(rand() * 3)]! }));
    const m = new LabelModel(noisy, labels);
    expect(m.info.usable).toBe(false);
    expect(m.opinion("Company3 net sales grew by 12 percent", "negative")).toBeNull();
  });

  it("needs enough examples", () => {
    const m = new LabelModel(examples(20), labels);
    expect(m.info.usable).toBe(false);
  });
});
