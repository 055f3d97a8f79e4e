import { mergeRollouts, pickRolloutSettings, rolloutContext, rolloutRunContext } from "./rollout-state.js";
import { fakeRollout } from "../src/rl/testing.js";

describe("mergeRollouts", () => {
  it("upserts by (group, index) and keeps groups ordered by index", () => {
    const a = fakeRollout({ index: 1, reward: 0.1 });
    const b = fakeRollout({ index: 0, reward: 0.2 });
    const c = fakeRollout({ groupId: "c:t0", index: 0 });
    const merged = mergeRollouts([a], [b, c]);
    expect(merged.map((r) => [r.groupId, r.index])).toEqual([
      ["c:t0", 0],
      ["c:t1", 0],
      ["c:t1", 1],
    ]);
    const again = mergeRollouts(merged, [fakeRollout({ index: 1, reward: 0.9, advantage: 1 })]);
    expect(again).toHaveLength(3);
    expect(again.find((r) => r.groupId === "c:t1" && r.index === 1)!.advantage).toBe(1);
  });
  it("is a no-op for an empty update", () => {
    const a = [fakeRollout()];
    expect(mergeRollouts(a, [])).toEqual(a);
  });
});

describe("rolloutContext", () => {
  it("has G = 8, GRPO, temperature 1 and no store by default; validates", () => {
    const c = rolloutContext({});
    expect([c.group, c.advantage, c.temperature, c.store, c.augment, c.policy]).toEqual([8, "grpo", 1, "", 0, "builtin"]);
    expect(() => rolloutContext({ group: 0 })).toThrow();
    expect(() => rolloutContext({ advantage: "ppo" })).toThrow();
  });
});

describe("rolloutRunContext", () => {
  it("lets the input's settings (Studio's form) override the context", () => {
    const c = rolloutRunContext({ group: 2, seed: 3, samples: 20, store: "r.sqlite", model: "" }, { context: { group: 8, concurrency: 4, seed: 1 } });
    expect([c.group, c.seed, c.samples, c.store, c.concurrency, c.model]).toEqual([2, 3, 20, "r.sqlite", 4, ""]);
    expect(rolloutRunContext({}, { context: { group: 5 } }).group).toBe(5);
  });
  it("validates the overrides like the context", () => {
    expect(() => rolloutRunContext({ group: 0 }, {})).not.toThrow(); // 0 = unset
    expect(() => rolloutRunContext({ concurrency: 1000 }, {})).toThrow();
  });
  it("pickRolloutSettings keeps only set settings", () => {
    expect(pickRolloutSettings({ group: 2, store: "", seed: undefined, tasks: ["x"] } as never)).toEqual({ group: 2 });
  });
});
