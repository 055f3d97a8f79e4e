import { groupAdvantages, groupStats } from "./advantages.js";

describe("groupStats", () => {
  it("uses the sample standard deviation", () => {
    // rewards 1, 2, 3, 4: mean 2.5, squares 2.25+0.25+0.25+2.25 = 5, /3 -> std sqrt(5/3)
    const s = groupStats([1, 2, 3, 4]);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect([s.min, s.max, s.n]).toEqual([1, 4, 4]);
  });
  it("rejects non-finite rewards", () => {
    expect(() => groupStats([1, NaN])).toThrow(/finite/);
  });
});

describe("groupAdvantages", () => {
  it("GRPO: (R - mean) / (std + eps), checked by hand", () => {
    // rewards 0, 1: mean 0.5, std sqrt(0.5) = 0.70711; advantages ±0.5/0.70711 = ±0.70711
    const { advantages, flags } = groupAdvantages([0, 1], "grpo", 0);
    expect(flags).toEqual([]);
    expect(advantages[0]).toBeCloseTo(-Math.SQRT1_2, 12);
    expect(advantages[1]).toBeCloseTo(Math.SQRT1_2, 12);
  });
  it("GRPO with eps shrinks the advantages slightly", () => {
    // rewards 0.2, 0.5, 0.8: mean 0.5, std 0.3; eps 0.1 -> ±0.3/0.4 = ±0.75
    const { advantages } = groupAdvantages([0.2, 0.5, 0.8], "grpo", 0.1);
    expect(advantages.map((a) => +a.toFixed(10))).toEqual([-0.75, 0, 0.75]);
  });
  it("Dr.GRPO: R - mean", () => {
    const { advantages } = groupAdvantages([-1, 0.5, 0.9, 0.6], "drgrpo");
    // mean 0.25
    expect(advantages.map((a) => +a.toFixed(10))).toEqual([-1.25, 0.25, 0.65, 0.35]);
  });
  it("advantages of a GRPO group sum to 0 and have unit sample std (eps 0)", () => {
    const r = [0.1, 0.9, 0.4, 0.4, -1, 0.7, 0.3, 0.8];
    const { advantages } = groupAdvantages(r, "grpo", 0);
    expect(advantages.reduce((a, b) => a + b, 0)).toBeCloseTo(0, 10);
    expect(groupStats(advantages).std).toBeCloseTo(1, 10);
  });
  it("flags a singleton group and gives it advantage 0", () => {
    expect(groupAdvantages([0.7])).toEqual({ stats: { n: 1, mean: 0.7, std: 0, min: 0.7, max: 0.7 }, advantages: [0], flags: ["singleton"] });
  });
  it("flags a zero-variance group and gives every member advantage 0", () => {
    const g = groupAdvantages([0.5, 0.5, 0.5], "grpo");
    expect(g.flags).toEqual(["zero_variance"]);
    expect(g.advantages).toEqual([0, 0, 0]);
    expect(groupAdvantages([-1, -1], "drgrpo").flags).toEqual(["zero_variance"]);
  });
  it("an empty group has no advantages", () => {
    expect(groupAdvantages([]).advantages).toEqual([]);
  });
});
