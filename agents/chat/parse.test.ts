import { parseCount, parseRequest } from "./parse.js";

const hints = { sources: ["fpb_lowagree", "alpaca_5k", "tatqa_dev", "alpaca_5k_clean"], taskIds: ["fpb", "gsm8k"] };
const p = (text: string) => parseRequest(text, hints);

describe("built-in request parser", () => {
  it("lists tasks, with or without a folder", () => {
    expect(p("what tasks are there in ./tasks?")).toMatchObject({ intent: "list_tasks", dir: "./tasks" });
    expect(p("list tasks in /work/shared/tasks")).toMatchObject({ intent: "list_tasks", dir: "/work/shared/tasks" });
    expect(p("show me the tasks")).toMatchObject({ intent: "list_tasks" });
    expect(p("show me the tasks").dir).toBeUndefined();
    expect(p("which tasks do you have under the folder ../shared/tasks")).toMatchObject({ intent: "list_tasks", dir: "../shared/tasks" });
  });

  it("cooks a task named by path or id, with constraints in the same message", () => {
    expect(p("cook a recipe for tasks/fpb.json")).toMatchObject({ intent: "cook", task: "tasks/fpb.json" });
    expect(p("cook fpb")).toMatchObject({ intent: "cook", task: "fpb" });
    expect(p("please make a recipe for gsm8k")).toMatchObject({ intent: "cook", task: "gsm8k" });
    expect(p("tasks/fpb.json")).toMatchObject({ intent: "cook", task: "tasks/fpb.json" });
    expect(p("cook")).toMatchObject({ intent: "cook" });
    expect(p("cook").task).toBeUndefined();
    expect(p("go")).toMatchObject({ intent: "cook" });
    expect(p("cook it again with seed 3")).toMatchObject({ intent: "cook", seed: 3 });
    expect(p("cook it again with seed 3").task).toBeUndefined();
    expect(p("cook tasks/fpb.json using only fpb_lowagree and alpaca_5k, keep it under 2,000 records")).toMatchObject({
      intent: "cook",
      task: "tasks/fpb.json",
      sources: ["fpb_lowagree", "alpaca_5k"],
      maxRecords: 2000,
    });
  });

  it("changes settings without cooking", () => {
    expect(p("use only fpb_lowagree and alpaca_5k")).toMatchObject({ intent: "set", sources: ["fpb_lowagree", "alpaca_5k"] });
    expect(p("only use `tatqa_dev`, fpb_lowagree.")).toMatchObject({ intent: "set", sources: ["tatqa_dev", "fpb_lowagree"] });
    expect(p("keep it under 2,000 records")).toMatchObject({ intent: "set", maxRecords: 2000 });
    expect(p("no more than 1.5k examples please")).toMatchObject({ intent: "set", maxRecords: 1500 });
    expect(p("limit it to 500 records")).toMatchObject({ intent: "set", maxRecords: 500 });
    expect(p("limit it to 500 records").sources).toBeUndefined();
    expect(p("use all sources")).toMatchObject({ intent: "set", allSources: true });
    expect(p("seed 7")).toMatchObject({ intent: "set", seed: 7 });
  });

  it("explains a dropped or used source, preferring known ids", () => {
    expect(p("why did you drop source alpaca_5k?")).toMatchObject({ intent: "explain", source: "alpaca_5k" });
    expect(p("why did you drop alpaca_5k_clean?")).toMatchObject({ intent: "explain", source: "alpaca_5k_clean" });
    expect(p("Why was tatqa_dev rejected")).toMatchObject({ intent: "explain", source: "tatqa_dev" });
    expect(p("why did you drop source some_new_thing")).toMatchObject({ intent: "explain", source: "some_new_thing" });
    expect(p("why?")).toMatchObject({ intent: "unknown" });
  });

  it("verifies a user's file against this task or a named one", () => {
    expect(p("verify my file data/mine.jsonl against this task")).toMatchObject({ intent: "verify", data: "data/mine.jsonl" });
    expect(p("verify my file data/mine.jsonl against this task").task).toBeUndefined();
    expect(p("verify out/x.jsonl against tasks/fpb.json")).toMatchObject({ intent: "verify", data: "out/x.jsonl", task: "tasks/fpb.json" });
    expect(p("score ./d.jsonl against gsm8k")).toMatchObject({ intent: "verify", data: "./d.jsonl", task: "gsm8k" });
    expect(p("verify my file please")).toMatchObject({ intent: "unknown" });
  });

  it("says what it did not understand instead of guessing", () => {
    expect(p("make me a sandwich")).toMatchObject({ intent: "unknown" });
    expect(p("the weather is nice")).toMatchObject({ intent: "unknown", via: "builtin" });
    expect(p("help")).toMatchObject({ intent: "help" });
    expect(p("")).toMatchObject({ intent: "help" });
    expect(p("what can you do?")).toMatchObject({ intent: "help" });
    expect(p("approve")).toMatchObject({ intent: "approval" });
  });

  it("parses counts written with separators and k", () => {
    expect(parseCount("2,000")).toBe(2000);
    expect(parseCount("2k")).toBe(2000);
    expect(parseCount("2.5k")).toBe(2500);
    expect(parseCount("10_000")).toBe(10000);
    expect(parseCount("0")).toBeUndefined();
  });
});
