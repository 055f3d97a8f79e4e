import { canonicalNumber, numberWordDigits, terms } from "./terms.js";

describe("terms", () => {
  it("keeps numbers whole and canonical, words lower-cased", () => {
    expect(terms("Sales were $1,496.50 in 2019, up 07%.")).toEqual(["sales", "were", "1496.5", "in", "2019", "up", "7"]);
    expect(terms("Ｆｕｌｌ width")).toEqual(["full", "width"]);
  });
  it("leaves odd digit runs as written", () => {
    expect(canonicalNumber("3.14.15")).toBe("3.14.15");
    expect(canonicalNumber("1,000")).toBe("1000");
    expect(canonicalNumber("12,34")).toBe("12,34");
  });
  it("maps number words to digits", () => {
    expect(numberWordDigits("three")).toBe("3");
    expect(numberWordDigits("dozens")).toBe("12");
    expect(numberWordDigits("apple")).toBeUndefined();
  });
});
