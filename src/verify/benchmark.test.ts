import type { TaskContract } from "../task/contract.js";
import { benchmarkAnswer, benchmarkInput, valuesAtPath } from "./benchmark.js";

const record = {
  answerKey: "A",
  question: { stem: "Where is money kept?", choices: [{ label: "A", text: "bank" }, { label: "B", text: "library" }] },
  questions: [{ question: "q1", answer: ["x"] }, { question: "q2", answer: ["y"] }],
};
const contract = (inputFields: string[], answerField?: string) => ({ inputFields, answerField }) as TaskContract;

describe("valuesAtPath", () => {
  it("walks objects and arrays", () => {
    expect(valuesAtPath(record, "question.stem")).toEqual(["Where is money kept?"]);
    expect(valuesAtPath(record, "question.choices[].text")).toEqual(["bank", "library"]);
    expect(valuesAtPath(record, "questions[].question")).toEqual(["q1", "q2"]);
    expect(valuesAtPath(record, "missing.path")).toEqual([]);
  });
});

describe("benchmarkInput / benchmarkAnswer", () => {
  it("joins the input fields' text", () => {
    expect(benchmarkInput(record, contract(["question.stem", "question.choices"]))).toBe("Where is money kept?\nA\nbank\nB\nlibrary");
  });
  it("falls back to everything but the answer field when the input fields are absent", () => {
    const text = benchmarkInput(record, contract(["nope"], "answerKey"));
    expect(text).toContain("Where is money kept?");
    // answerKey ("A") is the record's first leaf: dropped, so the text starts with the question.
    expect(text.startsWith("Where is money kept?")).toBe(true);
  });
  it("reads scalar reference answers only", () => {
    expect(benchmarkAnswer(record, contract([], "answerKey"))).toBe("A");
    expect(benchmarkAnswer(record, contract([], "questions[].answer"))).toBeUndefined();
    expect(benchmarkAnswer(record, contract([]))).toBeUndefined();
  });
});
