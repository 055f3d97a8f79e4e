/** `datachef train` for one small GRPO step on a demo task, then `cook --policy` with the result. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { demoTaskSpec, ensureDemoPool } from "../demo/generate.js";
import { REPO_ROOT } from "../recipe/paths.js";
import { defaultParams, loadPolicyParams } from "./policy-params.js";

const cli = (...args: string[]) => execFileSync(process.execPath, [path.join(REPO_ROOT, "bin", "datachef.js"), ...args], { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

describe("datachef train (integration)", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), "dc-train-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("trains one step on the demo pool, writes valid params, and cook --policy uses them", async () => {
    const spec = demoTaskSpec(await ensureDemoPool(), "math");
    const out = path.join(dir, "policy.json");
    const res = JSON.parse(cli("train", "--tasks", spec, "--steps", "1", "--group", "3", "--out", out, "--samples", "10", "--max-records", "200", "--seed", "4", "--json"));
    expect(res.steps).toHaveLength(1);
    expect(res.steps[0].rollouts).toBe(3);
    expect(res.steps[0].meanReward).toBeGreaterThan(0);
    const params = loadPolicyParams(out);
    expect(params.meta?.steps).toBe(1);
    // a group with any spread moves the params; otherwise they stay put
    if (res.steps[0].update.gradNorm > 0) expect(params.include).not.toEqual(defaultParams().include);
    const report = JSON.parse(cli("cook", spec, "--policy", out, "--out", path.join(dir, "run"), "--samples", "10", "--max-records", "200", "--json"));
    expect(report.status).toBe("ok");
    expect(report.policy).toBe("builtin:policy.json");
    expect(readFileSync(path.join(dir, "run", "plan.md"), "utf8")).toMatch(/## Training Data/);
  }, 240_000);

  it("rejects bad arguments with a clear message and exit code 2", () => {
    let err = "";
    try {
      cli("train", "--tasks", path.join(dir, "none"), "--out", path.join(dir, "p.json"));
    } catch (e) {
      err = String((e as { stderr?: string }).stderr);
      expect((e as { status?: number }).status).toBe(2);
    }
    expect(err).toMatch(/no such task spec file or folder/);
  }, 60_000);
});
