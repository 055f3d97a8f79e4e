import type { TaskContract } from "../task/contract.js";
import { boxedContents, checkAnswerFormat, codeProblem, extractCode, parseOptions } from "./answer-format.js";

type C = Pick<TaskContract, "answer" | "reasoning" | "numericAnswer">;
const gsm: C = { answer: { kind: "marker", marker: "####" }, reasoning: true, numericAnswer: true };
const boxed: C = { answer: { kind: "boxed" }, reasoning: true, numericAnswer: false };
const letters: C = { answer: { kind: "option_letter", letters: ["A", "B", "C", "D", "E"] }, reasoning: false, numericAnswer: false };
const letterReasoning: C = { ...letters, reasoning: true };
const sentiment: C = { answer: { kind: "label", labels: ["positive", "negative", "neutral"] }, reasoning: false, numericAnswer: false };
const yesNo: C = { answer: { kind: "label", labels: ["yes", "no", "maybe"] }, reasoning: true, numericAnswer: false };
const num: C = { answer: { kind: "number" }, reasoning: false, numericAnswer: true };
const py: C = { answer: { kind: "code", language: "python" }, reasoning: false, numericAnswer: false };

describe("marker answers", () => {
  it("takes the number after the marker on the last line", () => {
    expect(checkAnswerFormat("48/2 = 24\n#### 72", gsm)).toEqual({ ok: true, final: "72", body: "48/2 = 24" });
  });
  it("rejects a missing, misplaced or non-numeric marker", () => {
    expect(checkAnswerFormat("The answer is 72.", gsm)).toMatchObject({ ok: false, reason: expect.stringContaining("no final '####") });
    expect(checkAnswerFormat("#### 72\nThat is all.", gsm)).toMatchObject({ ok: false, reason: expect.stringContaining("not on the final line") });
    expect(checkAnswerFormat("work\n#### seventy-two", gsm)).toMatchObject({ ok: false, reason: expect.stringContaining("not a number") });
  });
});

describe("boxed answers", () => {
  it("reads nested braces and uses the last box", () => {
    expect(boxedContents("a $\\boxed{\\frac{1}{2}}$ b \\boxed{3}")).toEqual(["\\frac{1}{2}", "3"]);
    expect(checkAnswerFormat("So $x = \\boxed{\\frac{5}{3}}$.", boxed)).toMatchObject({ ok: true, final: "\\frac{5}{3}" });
  });
  it("rejects missing, empty or unclosed boxes", () => {
    expect(checkAnswerFormat("x = 5", boxed)).toMatchObject({ ok: false, reason: "no \\boxed{} final answer" });
    expect(checkAnswerFormat("x = \\boxed{ }", boxed)).toMatchObject({ ok: false, reason: "empty \\boxed{}" });
    expect(checkAnswerFormat("x = \\boxed{\\frac{1}{2}", boxed)).toMatchObject({ ok: false, reason: "unclosed \\boxed{" });
  });
});

describe("option letters", () => {
  it("accepts a bare letter, a letter with its text, or 'the answer is'", () => {
    expect(checkAnswerFormat("B", letters)).toMatchObject({ ok: true, final: "B" });
    expect(checkAnswerFormat("(c)", letters)).toMatchObject({ ok: true, final: "C" });
    expect(checkAnswerFormat("A. bank", letters)).toMatchObject({ ok: true, final: "A", optionText: "bank" });
    expect(checkAnswerFormat("People queue there, so the answer is (D) mall.", letterReasoning)).toMatchObject({ ok: true, final: "D", optionText: "mall" });
  });
  it("rejects letters outside the set and answers without a single letter", () => {
    expect(checkAnswerFormat("F", letters)).toMatchObject({ ok: false, reason: expect.stringContaining("not one of the option letters") });
    expect(checkAnswerFormat("bank", letters)).toMatchObject({ ok: false, reason: expect.stringContaining("no option letter") });
    expect(checkAnswerFormat("A or C", letters)).toMatchObject({ ok: false });
  });
});

describe("labels", () => {
  it("accepts the label alone, case and punctuation aside", () => {
    expect(checkAnswerFormat("Positive.", sentiment)).toMatchObject({ ok: true, final: "positive" });
    expect(checkAnswerFormat("Sentiment: negative", sentiment)).toMatchObject({ ok: true, final: "negative" });
  });
  it("rejects other words and, without reasoning, text before the label", () => {
    expect(checkAnswerFormat("bullish", sentiment)).toMatchObject({ ok: false, reason: expect.stringContaining("not one of positive/negative/neutral") });
    expect(checkAnswerFormat("Sales rose.\npositive", sentiment)).toMatchObject({ ok: false, reason: expect.stringContaining("only the label") });
  });
  it("with reasoning, reads the label from the last line", () => {
    expect(checkAnswerFormat("The trial found a benefit.\nAnswer: yes", yesNo)).toMatchObject({ ok: true, final: "yes", body: "The trial found a benefit." });
    expect(checkAnswerFormat("The trial found a benefit.\nAnswer: probably", yesNo)).toMatchObject({ ok: false });
  });
});

describe("numbers", () => {
  it("wants a bare number without reasoning", () => {
    expect(checkAnswerFormat("-12.5", num)).toMatchObject({ ok: true, final: "-12.5" });
    expect(checkAnswerFormat("about twelve", num)).toMatchObject({ ok: false });
  });
});

describe("code", () => {
  it("extracts fenced blocks and notices an unclosed fence", () => {
    expect(extractCode("Here:\n```python\nx = 1\n```\n")).toEqual({ code: "x = 1\n", fenced: true, unclosedFence: false });
    expect(extractCode("```python\ndef f(:\n").unclosedFence).toBe(true);
  });
  it("accepts Python, including bare function bodies and trailing semicolons", () => {
    expect(checkAnswerFormat("```python\ndef f(x):\n    return x + 1\n```", py)).toMatchObject({ ok: true });
    expect(checkAnswerFormat("    for i in range(n):\n        total += i\n    return total\n", py)).toMatchObject({ ok: true });
    expect(codeProblem("def f(n):\n    s = n*2;\n    return s;", "python")).toBeNull();
  });
  it("rejects other languages and prose", () => {
    expect(codeProblem('#include <stdio.h>\nint main() {\n  printf("hi");\n}', "python")).toContain("C/C++");
    expect(codeProblem("function add(a, b) {\n  return a + b;\n}", "python")).toContain("JavaScript");
    expect(checkAnswerFormat("The function should loop over the list and add every element to a running total.", py)).toMatchObject({ ok: false });
    expect(codeProblem("int main() {\n  return 0;\n}", "c")).toBeNull();
  });
});

describe("parseOptions", () => {
  it("reads one option per line", () => {
    expect(parseOptions("Where?\nA. bank\nB) library\n(C) mall")).toEqual([
      { letter: "A", text: "bank" },
      { letter: "B", text: "library" },
      { letter: "C", text: "mall" },
    ]);
  });
  it("reads inline options", () => {
    expect(parseOptions("the value of x is : a ) 12 , b ) 16 , c ) 18")).toEqual([
      { letter: "a", text: "12" },
      { letter: "b", text: "16" },
      { letter: "c", text: "18" },
    ]);
  });
  it("finds nothing in plain questions", () => {
    expect(parseOptions("What is 2 + 2?")).toEqual([]);
    expect(parseOptions("A. only one option")).toEqual([]);
  });
});

describe("label answers", () => {
  const contract = { answer: { kind: "label" as const, labels: ["check_weather", "turn_off_lights", "positive"] }, reasoning: false, numericAnswer: false };
  test("snake_case labels are recognised", () => {
    expect(checkAnswerFormat("check_weather", contract).ok).toBe(true);
    expect(checkAnswerFormat("turn_off_lights.", contract).ok).toBe(true);
  });
  test("emphasis and quotes around a label are ignored; other words are not labels", () => {
    expect(checkAnswerFormat("**positive**", contract).ok).toBe(true);
    expect(checkAnswerFormat("_positive_", contract).ok).toBe(true);
    expect(checkAnswerFormat("'positive'", contract).ok).toBe(true);
    expect(checkAnswerFormat("check weather", contract).ok).toBe(false);
    expect(checkAnswerFormat("negative", contract).ok).toBe(false);
  });
});

describe("python code answers", () => {
  test("a bare call statement is a Python body", () => {
    expect(codeProblem("    b.sort(key=f)", "python")).toBeNull();
    expect(codeProblem("os.remove(path)", "python")).toBeNull();
    expect(codeProblem("print(sorted(set(x)))", "python")).toBeNull();
  });
  test("prose and other languages are still refused", () => {
    expect(codeProblem("This function sorts the list by its key and returns it.", "python")).not.toBeNull();
    expect(codeProblem("#include <stdio.h>\nint main() {\n  return 0;\n}", "python")).not.toBeNull();
  });
});
