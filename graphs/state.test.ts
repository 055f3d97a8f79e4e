import { appendAttempts, appendWarnings, mergeTimings, recipeContext, recipeRunContext, withRunSettings } from "./state.js";
import type { Attempt } from "../agents/interpreter/attempt.js";

const attempt = (n: number, ok: boolean): Attempt => ({ n, ok, recipe: "", records: 0, durationMs: 1, stdoutTail: "", stderrTail: "" });

describe("recipe state reducers", () => {
  test("appendAttempts keeps every attempt in order and does not mutate", () => {
    const a = [attempt(1, false)];
    const b = appendAttempts(a, [attempt(2, true)]);
    expect(b.map((x) => x.n)).toEqual([1, 2]);
    expect(a).toHaveLength(1);
  });
  test("mergeTimings adds durations of repeated nodes", () => {
    expect(mergeTimings({ execute: 100, plan: 5 }, { execute: 50, verify: 7 })).toEqual({ execute: 150, plan: 5, verify: 7 });
  });
  test("appendWarnings drops repeats", () => {
    expect(appendWarnings(["a"], ["a", "b", "b"].filter((x, i, xs) => xs.indexOf(x) === i))).toEqual(["a", "b"]);
    expect(appendWarnings(["a"], ["a"])).toEqual(["a"]);
  });
  test("recipeContext applies defaults and rejects bad values", () => {
    const c = recipeContext({ seed: 4 });
    expect(c.seed).toBe(4);
    expect(c.samples).toBe(100);
    expect(c.maxAttempts).toBe(3);
    expect(() => recipeContext({ sandbox: "docker" })).toThrow();
  });
  test("input run settings override the context; unset or empty ones leave it alone", () => {
    const ctx = recipeContext({ seed: 4, samples: 50, model: "ctx-model" });
    expect(withRunSettings(ctx, { seed: 0, samples: 20, policy: "p.json", model: "m" })).toMatchObject({ seed: 0, samples: 20, policy: "p.json", model: "m" });
    expect(withRunSettings(ctx, { policy: "", model: "" })).toEqual(ctx);
    expect(withRunSettings(ctx, {})).toEqual(ctx);
    expect(ctx.seed).toBe(4); // not mutated
    expect(recipeRunContext({ seed: 9 }, { context: { samples: 30 } })).toMatchObject({ seed: 9, samples: 30, maxAttempts: 3 });
  });
});
