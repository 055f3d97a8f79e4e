import { applyOp, checkArithmetic, markerAnswer, markerNumber, MATH_TEMPLATES, mathQuestion } from "./math.js";
import { Rng } from "./rng.js";

describe("Rng", () => {
  test("same seed, same stream; forks are stable and independent of draw order", () => {
    const a = new Rng(5), b = new Rng(5);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
    const c = new Rng(5);
    c.next();
    expect(c.fork("x").next()).toBe(new Rng(5).fork("x").next());
    expect(new Rng(5).fork("x").next()).not.toBe(new Rng(5).fork("y").next());
    expect(new Rng(5).next()).not.toBe(new Rng(6).next());
  });

  test("int stays in range and hits both ends", () => {
    const r = new Rng(1);
    const seen = new Set(Array.from({ length: 500 }, () => r.int(2, 5)));
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });
});

describe("math templates", () => {
  test("every template gives correct multi-step arithmetic and a consistent answer", () => {
    const r = new Rng(11);
    for (const [i, make] of MATH_TEMPLATES.entries()) {
      for (let k = 0; k < 60; k++) {
        const p = make(r);
        const check = checkArithmetic(p.steps.join("\n"));
        expect({ template: i, ...check }).toEqual({ template: i, checked: p.steps.length, wrong: 0 });
        expect(p.steps.length).toBeGreaterThanOrEqual(2);
        // The answer is the result of the last step.
        const last = /=\s*(-?\d+(?:\.\d+)?)/.exec(p.steps.at(-1)!)!;
        expect(Number(last[1])).toBe(p.answer);
        expect(Number.isInteger(p.answer) && p.answer > 0).toBe(true);
        expect(markerNumber(markerAnswer(p))).toBe(p.answer);
        // Numbers in the question appear as given, not as float noise.
        expect(mathQuestion(p)).not.toMatch(/\d\.\d{5,}/);
      }
    }
  });

  test("checkArithmetic finds wrong results and ignores prose", () => {
    expect(checkArithmetic("So 3 * 4 = 12 and 12 + 5 = 18.")).toEqual({ checked: 2, wrong: 1 });
    expect(checkArithmetic("She paid $20 - $7 = $13.")).toEqual({ checked: 1, wrong: 0 });
    expect(checkArithmetic("No sums here, only 42 apples.")).toEqual({ checked: 0, wrong: 0 });
    expect(applyOp(7, "/", 2)).toBe(3.5);
  });

  test("markerNumber reads only a final #### line", () => {
    expect(markerNumber("a\n#### 72")).toBe(72);
    expect(markerNumber("#### 72\nmore text")).toBeNull();
  });
});
