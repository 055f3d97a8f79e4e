import { normalizeText, recordText, stringLeaves, textHash, tokens } from "./text.js";

describe("text normalisation", () => {
  test("tokens fold case, width and punctuation", () => {
    expect(tokens("Janet’s ducks lay 16 eggs!")).toEqual(["janet", "s", "ducks", "lay", "16", "eggs"]);
    expect(tokens("ＡＢＣ déjà-vu")).toEqual(["abc", "déjà", "vu"]);
  });
  test("normalizeText makes formatting variants equal", () => {
    expect(normalizeText("  Hello,\n WORLD ")).toBe(normalizeText("hello world"));
  });
  test("textHash is 16 hex chars and stable", () => {
    expect(textHash("hello world")).toBe("2aae6c35c94fcfb4");
  });
  test("stringLeaves walks nested records", () => {
    expect(stringLeaves({ a: "x", b: [{ c: "y" }, 3, null], d: { e: "z" } })).toEqual(["x", "y", "z"]);
    expect(recordText({ q: "a", o: ["b"] })).toBe("a\nb");
  });
});
