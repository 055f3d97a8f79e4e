import { arithmeticErrors, evalArithmetic, numbersIn, parseNumber, resultMatches } from "./arith.js";

describe("evalArithmetic", () => {
  it("honours precedence, parentheses, powers and unary minus", () => {
    expect(evalArithmetic("16-3-4")).toBe(9);
    expect(evalArithmetic("2 + 3 * 4")).toBe(14);
    expect(evalArithmetic("(2 + 3) * 4")).toBe(20);
    expect(evalArithmetic("2^3^2")).toBe(512);
    expect(evalArithmetic("-3 + 5")).toBe(2);
    expect(evalArithmetic("6 × 7")).toBe(42);
    expect(evalArithmetic("2 \\cdot 3")).toBe(6);
    expect(evalArithmetic("1,000 + 200")).toBe(1200);
    expect(evalArithmetic("$5 x 3")).toBe(15);
  });
  it("refuses what is not a numeric expression", () => {
    expect(evalArithmetic("2x + 3")).toBeNull();
    expect(evalArithmetic("(2 + 3")).toBeNull();
    expect(evalArithmetic("a + b")).toBeNull();
    expect(evalArithmetic("")).toBeNull();
  });
});

describe("parseNumber / numbersIn", () => {
  it("reads currency, grouping and signs", () => {
    expect(parseNumber("$1,234.50")).toBe(1234.5);
    expect(parseNumber("-3")).toBe(-3);
    expect(parseNumber("12 apples")).toBeNull();
    expect(numbersIn("Pay $1,200 in 3 parts of 400.")).toEqual([1200, 3, 400]);
  });
});

describe("resultMatches", () => {
  it("accepts exact, rounded and whole-number results", () => {
    expect(resultMatches(24, "24")).toBe(true);
    expect(resultMatches(10 / 3, "3.33")).toBe(true);
    expect(resultMatches(10 / 3, "3")).toBe(true);
    expect(resultMatches(-0.2222, "-22.22")).toBe(true); // a percent written as a number
  });
  it("rejects wrong results", () => {
    expect(resultMatches(24, "25")).toBe(false);
    expect(resultMatches(7, "8")).toBe(false);
    expect(resultMatches(3.5, "5")).toBe(false);
  });
});

describe("arithmeticErrors", () => {
  it("checks GSM8K calculator annotations", () => {
    const ok = "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\n#### 72";
    expect(arithmeticErrors(ok)).toEqual({ checked: 2, errors: [] });
    const bad = "She sold 48/2 = <<48/2=26>>26 clips.";
    const r = arithmeticErrors(bad);
    expect(r.errors[0]).toMatchObject({ expression: "48/2", claimed: "26", computed: 24 });
  });
  it("checks inline equations and reports the wrong one", () => {
    expect(arithmeticErrors("So 3 + 4 = 8 apples.").errors).toHaveLength(1);
    expect(arithmeticErrors("So 3 + 4 = 7 apples.").errors).toHaveLength(0);
  });
  it("skips algebra, mixed numbers, unit chains and clock times instead of guessing", () => {
    for (const text of [
      "We have x + 2 = 5, so x = 3.",
      "Then a - 2 + 3 = 4.",
      "8 x 1 1/2 = 12 rolls.",
      "3*30 = 30 + M trees",
      "It left at 0900-0130 = 0730 hours",
      "so $6 \\cdot 1.5 = 15 \\cdot t$",
      "2 hours = 2 × 60 + 20 = 140 minutes",
    ])
      expect(arithmeticErrors(text).errors).toEqual([]);
  });
  it("accepts accounting negatives and unit changes by powers of ten", () => {
    expect(arithmeticErrors("3 + (13) + 26 = 16").errors).toEqual([]);
    expect(arithmeticErrors("He spends $1 / 2 = 50 cents").errors).toEqual([]);
    expect(arithmeticErrors("(44.1-56.7)/56.7 = -22.22 percent").errors).toEqual([]);
  });
});
