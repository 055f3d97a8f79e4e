import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openRolloutStore, SqliteRolloutStore, StoreError } from "./store.js";
import { fakeRollout } from "./testing.js";

describe("SqliteRolloutStore", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "dc-store-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is idempotent on (group, index): a done rollout is kept, a failed one is retried", async () => {
    const file = path.join(dir, "sub", "r.sqlite");
    const s = openRolloutStore(file);
    expect(await s.putRollout(fakeRollout())).toBe("inserted");
    expect(await s.putRollout(fakeRollout({ reward: 0.9 }))).toBe("kept");
    expect(await s.putRollout(fakeRollout({ index: 1, status: "failed", reward: null, error: "boom" }))).toBe("inserted");
    expect(await s.doneIndices("c:t1")).toEqual([0]);
    expect(await s.putRollout(fakeRollout({ index: 1, reward: 0.1 }))).toBe("replaced");
    expect(await s.doneIndices("c:t1")).toEqual([0, 1]);
    expect(await s.count()).toBe(2);
    const rows = await s.listRollouts();
    expect(rows.map((r) => [r.index, r.reward, r.error])).toEqual([
      [0, 0.5, undefined],
      [1, 0.1, undefined],
    ]);
    await s.close();
    // survives reopening, round-trips every field
    const again = new SqliteRolloutStore(file);
    expect((await again.listRollouts({ groupId: "c:t1" }))[0]).toEqual(fakeRollout());
    await again.close();
  });

  it("keeps instances and groups, and writes group results with advantages in one go", async () => {
    const s = openRolloutStore(":memory:");
    await s.putInstance({ instanceId: "t1@a+b", taskId: "t1", taskPath: "/x/t1.json", sources: ["a", "b"], augmented: true });
    await s.putInstance({ instanceId: "t1@a+b", taskId: "t1", taskPath: "/x/t1.json", sources: ["a", "b"], augmented: true, prompt: [{ role: "user", content: "p" }] });
    expect(await s.getInstance("t1@a+b")).toEqual({ instanceId: "t1@a+b", taskId: "t1", taskPath: "/x/t1.json", sources: ["a", "b"], augmented: true, prompt: [{ role: "user", content: "p" }] });
    const g = { groupId: "c:t1", collection: "c", instanceId: "t1", taskId: "t1", size: 2, policy: "builtin", seed: 1, method: "grpo", stats: null, flags: [], complete: false };
    await s.putGroup(g);
    await s.putGroup({ ...g, size: 99 });
    await s.putRollout(fakeRollout());
    await s.putRollout(fakeRollout({ index: 1, reward: 1 }));
    await s.setGroupResult("c:t1", { stats: { n: 2, mean: 0.75, std: 0.35, min: 0.5, max: 1 }, flags: [], method: "grpo", complete: true, advantages: new Map([[0, -0.7], [1, 0.7]]) });
    const [group] = await s.listGroups("c");
    expect(group).toMatchObject({ size: 2, complete: true, stats: { mean: 0.75 } });
    expect((await s.listRollouts({ collection: "c" })).map((r) => r.advantage)).toEqual([-0.7, 0.7]);
    expect(await s.count({ scored: true })).toBe(2);
    await s.close();
  });

  it("names the file when it is not a store, and refuses Postgres URLs with a pointer to the docs", () => {
    expect(() => openRolloutStore("postgres://localhost/db")).toThrow(/docs\/rl.md/);
    expect(() => openRolloutStore(path.join(dir, "no", "\0bad"))).toThrow();
    expect(StoreError).toBeDefined();
  });
});
