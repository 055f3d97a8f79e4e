import { dvsScore, mean, pearson, ranks, spearman, std } from "./stats.js";

test("mean and population std", () => {
  expect(mean([])).toBe(0);
  expect(mean([1, 2, 3])).toBe(2);
  expect(std([1, 1, 1])).toBe(0);
  expect(std([0, 2])).toBeCloseTo(1);
});

test("DVS counts failed recipes as 0, never negative", () => {
  expect(dvsScore("ok", 0.7)).toBe(0.7);
  expect(dvsScore("execution_error", -1)).toBe(0);
  expect(dvsScore("contaminated", -1)).toBe(0);
  expect(dvsScore("empty", 0.9)).toBe(0);
});

test("pearson: perfect, inverse, undefined", () => {
  expect(pearson([1, 2, 3, 4], [2, 4, 6, 8])).toBeCloseTo(1);
  expect(pearson([1, 2, 3, 4], [8, 6, 4, 2])).toBeCloseTo(-1);
  expect(pearson([1, 2, 3], [5, 5, 5])).toBeNull();
  expect(pearson([1, 2], [1, 2])).toBeNull();
  expect(() => pearson([1, 2, 3], [1, 2])).toThrow(/3 xs but 2 ys/);
});

test("ranks share ties; spearman is monotone-invariant and handles ties", () => {
  expect(ranks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
  expect(spearman([1, 2, 3, 4, 5], [1, 4, 9, 16, 25])).toBeCloseTo(1);
  expect(spearman([0, 0.1, 0.2, 0.5, 1], [1, 0.9, 0.9, 0.5, 0.1])).toBeLessThan(-0.95);
  // a flat reward (a verifier that sees nothing) has no rank correlation
  expect(spearman([0, 0.5, 1], [0.8, 0.8, 0.8])).toBeNull();
});
