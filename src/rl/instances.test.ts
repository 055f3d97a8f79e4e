import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { instanceIdOf, parseInstanceId, resolveInstance, resolveTaskFiles, sourceSubsets, taskRegistry } from "./instances.js";
import { planJobs, rolloutSeed } from "./collect.js";
import { rolloutContext } from "../../graphs/rollout-state.js";

describe("instance ids", () => {
  it("name the task alone for all sources, else the sorted subset", () => {
    expect(instanceIdOf("t", ["b", "a"], ["a", "b"])).toBe("t");
    expect(instanceIdOf("t", ["c", "a"], ["a", "b", "c"])).toBe("t@a+c");
    expect(parseInstanceId("t@a+c")).toEqual({ taskId: "t", sources: ["a", "c"] });
    expect(parseInstanceId("t")).toEqual({ taskId: "t" });
  });
});

describe("sourceSubsets", () => {
  const src = ["a", "b", "c", "d", "e"];
  it("is seeded, distinct, never the whole set nor a singleton when 2+ fit", () => {
    const s1 = sourceSubsets(src, 6, 7);
    expect(sourceSubsets(src, 6, 7)).toEqual(s1);
    expect(sourceSubsets(src, 6, 8)).not.toEqual(s1);
    expect(new Set(s1.map((s) => s.join("+"))).size).toBe(6);
    for (const s of s1) {
      expect(s.length).toBeGreaterThanOrEqual(2);
      expect(s.length).toBeLessThan(src.length);
      expect([...s].sort()).toEqual(s);
    }
  });
  it("gives what exists for tiny pools", () => {
    expect(sourceSubsets(["a"], 3, 1)).toEqual([]);
    expect(sourceSubsets(["a", "b"], 5, 1).length).toBeLessThanOrEqual(2);
    expect(sourceSubsets(src, 0, 1)).toEqual([]);
  });
});

describe("task files and the registry", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "dc-inst-"));
    const spec = (id: string) => ({ id, instruction: "x", benchmark: { id: "b", path: "b.jsonl" }, sources: [{ id: "s1", path: "s1.jsonl" }, { id: "s2", path: "s2.jsonl" }] });
    writeFileSync(path.join(dir, "b.json"), JSON.stringify(spec("tb")));
    writeFileSync(path.join(dir, "a.json"), JSON.stringify(spec("ta")));
    writeFileSync(path.join(dir, "notes.txt"), "not a spec");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("expands folders to sorted specs and resolves instance ids", () => {
    expect(resolveTaskFiles([dir]).map((f) => path.basename(f))).toEqual(["a.json", "b.json"]);
    const reg = taskRegistry([dir]);
    expect([...reg.keys()]).toEqual(["ta", "tb"]);
    expect(resolveInstance("ta@s2", reg)).toMatchObject({ instanceId: "ta@s2", sources: ["s2"], augmented: true });
    expect(resolveInstance("ta@s1+s2", reg).instanceId).toBe("ta");
    expect(() => resolveInstance("zz", reg)).toThrow(/unknown task 'zz'/);
    expect(() => resolveInstance("ta@s9", reg)).toThrow(/no source 's9'/);
    expect(() => resolveTaskFiles([path.join(dir, "missing.json")])).toThrow(/no such task spec/);
  });

  it("plans G jobs per instance; instance-scoped seeds repeat across collections, group-scoped ones do not", async () => {
    const seeds = async (collection: string, seedScope: "group" | "instance") =>
      (await planJobs([dir], rolloutContext({ group: 3, augment: 1, seed: 4, collection, seedScope }))).jobs.map((j) => j.seed);
    const plan = await planJobs([dir], rolloutContext({ group: 3, augment: 1, seed: 4 }));
    expect(plan.instances.map((i) => i.instanceId)).toEqual(["ta", expect.stringMatching(/^ta@s[12]$/), "tb", expect.stringMatching(/^tb@s[12]$/)]);
    expect(plan.jobs).toHaveLength(12);
    expect(plan.jobs[0]!.groupId).toBe("s4:ta");
    expect(await seeds("a", "instance")).toEqual(await seeds("b", "instance"));
    expect(await seeds("a", "group")).not.toEqual(await seeds("b", "group"));
  });
});

describe("rolloutSeed", () => {
  it("is deterministic and differs across indices and groups", () => {
    expect(rolloutSeed(1, "c:t", 0)).toBe(rolloutSeed(1, "c:t", 0));
    const seeds = new Set([0, 1, 2, 3, 4, 5, 6, 7].map((i) => rolloutSeed(1, "c:t", i)));
    expect(seeds.size).toBe(8);
    expect(rolloutSeed(1, "c:t", 0)).not.toBe(rolloutSeed(2, "c:t", 0));
    expect(rolloutSeed(1, "c:u", 0)).not.toBe(rolloutSeed(1, "c:t", 0));
    expect(rolloutSeed(1, "c:t", 0)).toBeGreaterThanOrEqual(0);
  });
});
