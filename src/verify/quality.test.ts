import { echo, placeholder, questionTooShort, refusal, repetition, scaffolding, truncation } from "./quality.js";

describe("refusal", () => {
  it("catches refusals at the start of an answer", () => {
    expect(refusal("I'm sorry, but I cannot help with that request.")).toMatch(/refusal/);
    expect(refusal("As an AI language model, I do not have opinions.")).toMatch(/refusal/);
    expect(refusal("I can't assist with that.")).toMatch(/refusal/);
  });
  it("leaves ordinary answers alone", () => {
    expect(refusal("Sorry to hear that the train was late; the total delay is 12 minutes.")).toBeNull();
    expect(refusal("The sum is 12.")).toBeNull();
  });
});

describe("repetition", () => {
  it("catches loops, repeated lines and mostly repeated phrases", () => {
    expect(repetition("Sincerely, Sincerely, Sincerely, Sincerely, Sincerely, Sincerely,")).toMatch(/loops on 'sincerely'/);
    const line = "I'm not sure if I can do this today.";
    expect(repetition([line, line, line, "ok"].join("\n"))).toMatch(/repeats the same lines/);
    const phrase = "the cat sat on the mat and then the dog ran to the park ";
    expect(repetition(phrase.repeat(4) + "in the end everyone went home happily after dinner")).not.toBeNull();
  });
  it("allows math and tables that repeat symbols and numbers", () => {
    expect(repetition("We can rewrite $5^b + 5^b + 5^b + 5^b + 5^b$ as $5\\cdot5^b=5^{(b+1)}$.")).toBeNull();
    expect(repetition("$(x^{\\frac{1}{3}})^{\\frac{1}{3}})^{\\frac{1}{3}})^{\\frac{1}{3}}$ so x = 2")).toBeNull();
    expect(repetition("| 0 | 0 | 0 | 0 | 0 | 0 | 0 |", "question", { loopsOnly: true })).toBeNull();
  });
});

describe("echo", () => {
  const q = "Rewrite the sentence to be more concise: If you have any questions about my rate please let me know.";
  it("catches an answer that copies the question", () => {
    expect(echo(q, q)).toMatch(/verbatim/);
    expect(echo(q, "If you have any questions about my rate please let me know.")).toMatch(/copies the question/);
  });
  it("allows extracting a short span from a long context", () => {
    const ctx = "Table: revenue 2019 was $1,496.5 million and 2018 was $1,202.9 million. ".repeat(3) + "Question: What was revenue in 2019?";
    expect(echo(ctx, "$1,496.5 million")).toBeNull();
  });
});

describe("scaffolding", () => {
  it("catches special tokens and invented turns", () => {
    expect(scaffolding("ignore<|endoftext|>")).toMatch(/special token/);
    expect(scaffolding("Fine.\n\nInput: another one\nOutput: more text")).toMatch(/invented turns/);
  });
  it("allows a single 'Answer:' line", () => {
    expect(scaffolding("The result is clear.\nAnswer: yes")).toBeNull();
  });
});

describe("truncation", () => {
  it("catches unclosed fences, unbalanced code and dangling sentences", () => {
    expect(truncation("```python\ndef f(x):\n    return x", true)).toMatch(/unclosed/);
    expect(truncation("def f(x):\n    return max(x, g(", true)).toMatch(/unclosed brackets/);
    expect(truncation("The company reported that its quarterly revenue grew strongly because of the", false)).toMatch(/mid-sentence/);
    expect(truncation("First we add the two numbers, then we divide the result by the count of items,", false)).toMatch(/mid-sentence/);
  });
  it("allows complete answers, short spans and brackets inside strings", () => {
    expect(truncation("The revenue grew by 12% because of higher demand.", false)).toBeNull();
    expect(truncation("A. look at", false)).toBeNull();
    expect(truncation('def f():\n    return "(" + ")" ', true)).toBeNull();
  });
});

describe("placeholders and short questions", () => {
  it("catches missing values and unfilled templates", () => {
    expect(placeholder("None", "answer")).toMatch(/placeholder/);
    expect(placeholder("Question: {question}\nAnswer:", "question")).toMatch(/template slot/);
    expect(placeholder("Compute $\\frac{a}{b}$ for a = 2.", "question")).toBeNull();
  });
  it("catches questions with too few words", () => {
    expect(questionTooShort("Why?")).toMatch(/too short/);
    expect(questionTooShort("Why is the sky blue?")).toBeNull();
  });
});
