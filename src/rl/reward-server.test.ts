import { instanceFromPrompt, parseRewardRequest, responseOf } from "./reward-server.js";
import { chefCompletionText } from "./completion.js";
import { parseChefCompletion } from "../llm/parse.js";

describe("parseRewardRequest", () => {
  it("accepts OpenRLHF's body and extra keys (metas)", () => {
    expect(parseRewardRequest({ query: ["q"], prompts: ["p"], labels: ["t"], metas: [{}] })).toEqual({ query: ["q"], prompts: ["p"], labels: ["t"] });
    expect(parseRewardRequest({ query: ["q"], labels: [null] }).labels).toEqual([null]);
  });
  it("names what is wrong", () => {
    expect(() => parseRewardRequest([])).toThrow(/JSON object/);
    expect(() => parseRewardRequest({ query: "q" })).toThrow(/'query' must be an array/);
    expect(() => parseRewardRequest({ query: ["a"], prompts: ["a", "b"] })).toThrow(/'prompts' has 2 entries/);
    expect(() => parseRewardRequest({ query: ["a"], prompts: [1] })).toThrow(/prompts\[0\] must be a string/);
  });
});

describe("responseOf", () => {
  it("strips the prompt, or finds the last assistant turn of a chat template", () => {
    expect(responseOf("PROMPT answer", "PROMPT ")).toBe("answer");
    expect(responseOf("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nthe plan<|im_end|>")).toBe("\nthe plan");
    expect(responseOf("no markers at all")).toBe("no markers at all");
  });
});

describe("instanceFromPrompt", () => {
  it("reads the task id and candidate sources of a chef prompt", () => {
    expect(instanceFromPrompt("## Task `gsm8k` (domain: math)\n...\n## Candidate sources (a, b)\n")).toBe("gsm8k@a+b");
    expect(instanceFromPrompt("## Task `gsm8k` (domain: math)")).toBe("gsm8k");
    expect(instanceFromPrompt("hello")).toBeUndefined();
  });
});

describe("chefCompletionText", () => {
  it("round-trips through the chef parser", () => {
    const planMd = '# Data recipe plan: t\n\n## Training Data\n\n```json\n[{"dataset_id": "a", "split": "train", "sample_num": 10, "reason": "fits"}]\n```\n\n## Data Processing Workflow\n\nRead a.\n';
    const text = chefCompletionText(planMd, "import datachef_toolkit as dc\ndc.dump_jsonl([])\n", "print('```')\n");
    const p = parseChefCompletion(text, { knownSources: ["a"] });
    if ("error" in p) throw new Error(p.error);
    expect(p.plan.training_data[0]!.dataset_id).toBe("a");
    expect(p.recipe).toBe("import datachef_toolkit as dc\ndc.dump_jsonl([])\n");
    expect(p.check).toBe("print('```')\n");
  });
});
