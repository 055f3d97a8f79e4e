import { jest } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "./main.js";
import { groupTable } from "./rollouts.js";

async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(args), err };
  } finally {
    spy.mockRestore();
  }
}

describe("RL commands: bad input is exit code 2 with a one-line reason", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "dc-rlcli-"));
  const spec = path.join(dir, "t.json");
  writeFileSync(spec, JSON.stringify({ id: "t", instruction: "x", benchmark: { id: "b", path: "b.jsonl" }, sources: [{ id: "s", path: "s.jsonl" }] }));

  test.each([
    [["rollouts", path.join(dir, "missing.json"), "--store", path.join(dir, "r.sqlite")], /no such task spec file or folder/],
    [["rollouts", spec, "--advantage", "ppo"], /--advantage ppo: expected one of grpo, drgrpo/],
    [["rollouts", spec, "--group", "0"], /--group must be at least 1/],
    [["rollouts", spec, "--policy", path.join(dir, "nope.json")], /expected 'builtin' or an existing policy.json/],
    [["export", "--format", "trl", "--out", path.join(dir, "x.jsonl")], /pass --store FILE/],
    [["export", "--format", "parquet", "--out", "x"], /--format parquet: expected one of/],
    [["export", "--format", "trl", "--store", path.join(dir, "none.sqlite"), "--out", "x"], /no such rollout store/],
    [["serve-reward", "--tasks", path.join(dir, "missing")], /no such task spec file or folder/],
    [["train", "--tasks", spec, "--out", path.join(dir, "p.json"), "--group", "1"], /--group must be at least 2/],
    [["train", "--tasks", spec, "--out", path.join(dir, "p.json"), "--advantage", "ppo"], /--advantage must be batch or group, got ppo/],
  ])("%j", async (args, re) => {
    const r = await run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(re as RegExp);
  });
});

test("groupTable shows mean, std and flags", () => {
  const t = groupTable([{ groupId: "s0:t", instanceId: "t", taskId: "t", size: 2, scored: 2, failed: 0, stats: { n: 2, mean: 0.5, std: 0.1, min: 0.4, max: 0.6 }, flags: [], complete: true }]);
  expect(t).toMatch(/s0:t\s+2\/2\s+0\.500\s+0\.100\s+0\.400\s+0\.600\s+-/);
});
