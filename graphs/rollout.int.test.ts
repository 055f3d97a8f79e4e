/**
 * The rollout collector end to end on the built-in demo pool (real python, sandbox, verifier):
 * - 64 rollouts (2 tasks x 4 instances x G=8), killed with SIGKILL three times and resumed:
 *   exactly 64 rollouts, every group complete with advantages;
 * - every export written from that store by the CLI and read back;
 * - an LLM (chef) policy over a loopback server: its recorded calls are the trajectory.
 * Kept lean (small budgets, 10 graded samples) so CI stays fast.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { demoTaskSpec, ensureDemoPool } from "../src/demo/generate.js";
import { exportCommand } from "../src/cli/export.js";
import { openRolloutStore } from "../src/rl/store.js";
import { parseChefCompletion } from "../src/llm/parse.js";
import { collectWithKills } from "../evals/rollout-resume.js";
import { rolloutGraph } from "./rollout.js";
import { rolloutContext } from "./rollout-state.js";
import { closeStores, preparedTasks } from "../src/rl/collect.js";
import { instancePrompt, instanceView } from "../src/rl/instances.js";
import { builtinCompletion } from "../src/rl/builtin-completion.js";
import { startOpenAiTestServer } from "../src/llm/testing/openai-server.js";


describe("rollout collection (integration)", () => {
  let dir: string;
  let store: string;
  let tasks: string[];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "dc-rollouts-"));
    store = path.join(dir, "rollouts.sqlite");
    const pool = await ensureDemoPool();
    tasks = [demoTaskSpec(pool, "math"), demoTaskSpec(pool, "tickets")];
  });
  afterAll(async () => {
    await closeStores();
    rmSync(dir, { recursive: true, force: true });
  });

  it("survives three SIGKILLs: exactly 64 rollouts, no duplicates, every group scored", async () => {
    const args = [...tasks, "--group", "8", "--augment", "3", "--seed", "3", "--samples", "10", "--max-records", "200", "--max-attempts", "1", "--concurrency", "2"];
    const r = await collectWithKills({ args, store, expected: 64, kills: 3, seed: 5, log: (s) => console.log(s) });
    expect(r.kills.length).toBe(3);
    for (const k of r.kills) expect(k.storedAtKill).toBeLessThan(64);
    expect(r.lastRun.code).toBe(0);
    expect(r.final).toEqual({ count: 64, distinctKeys: 64, groups: 8, completeGroups: 8, withAdvantage: 64, failed: 0 });
    const summary = JSON.parse(r.lastRun.stdout);
    expect(summary.rollouts).toBe(64);
    expect(summary.groups).toHaveLength(8);
    // each stored rollout is complete: prompt, trajectory with log-probs, a parseable completion
    const s = openRolloutStore(store);
    const rows = await s.listRollouts();
    await s.close();
    for (const row of rows) {
      expect(row.prompt.map((m) => m.role)).toEqual(["system", "user"]);
      expect(row.trajectory.kind).toBe("builtin");
      expect(Array.isArray(row.trajectory.decisions)).toBe(true);
      expect(row.trajectory.decisions!.every((d) => Number.isFinite(d.logProb))).toBe(true);
      expect(typeof row.reward).toBe("number");
    }
    // a plan with no usable source has no decisions; the rest record every choice
    expect(rows.filter((row) => row.trajectory.decisions!.length > 0).length).toBeGreaterThan(48);
    const parsed = parseChefCompletion(rows[0]!.completion, {});
    expect("error" in parsed ? parsed.error : "ok").toBe("ok");
    // group advantages are centred
    const byGroup = new Map<string, number[]>();
    for (const row of rows) byGroup.set(row.groupId, [...(byGroup.get(row.groupId) ?? []), row.advantage!]);
    for (const adv of byGroup.values()) expect(Math.abs(adv.reduce((a, b) => a + b, 0))).toBeLessThan(1e-6);
  }, 600_000);

  it("exports every format from that store, and the files read back", async () => {
    const out = (f: string) => path.join(dir, f);
    for (const [format, file] of [
      ["trl", "trl.jsonl"],
      ["openrlhf", "openrlhf.jsonl"],
      ["art", "art.jsonl"],
      ["verl", "verl.parquet"],
      ["trl-prompts", "trl-prompts.jsonl"],
      ["openrlhf-prompts", "openrlhf-prompts.jsonl"],
      ["verl-prompts", "verl-prompts.parquet"],
    ])
      expect(await exportCommand({ store, format: format!, out: out(file!), augment: 0, seed: 0, json: true })).toBe(0);
    const jsonl = (f: string) => readFileSync(out(f), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const trl = jsonl("trl.jsonl");
    expect(trl).toHaveLength(64);
    expect(trl[0].completion[0].role).toBe("assistant");
    expect(typeof trl[0].advantage).toBe("number");
    expect(jsonl("openrlhf.jsonl")).toHaveLength(64);
    const art = jsonl("art.jsonl");
    expect(art).toHaveLength(8);
    expect(art.every((g) => g.trajectories.length === 8)).toBe(true);
    for (const [file, rowsWanted] of [
      ["verl.parquet", 64],
      ["verl-prompts.parquet", 8],
    ] as const) {
      const buf = readFileSync(out(file));
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const md = parquetMetadata(ab);
      expect(Number(md.num_rows)).toBe(rowsWanted);
      expect(parquetSchema(md).children.map((c: { element: { name: string } }) => c.element.name)).toEqual(["data_source", "prompt", "ability", "reward_model", "extra_info"]);
      const rows = (await parquetReadObjects({ file: ab })) as Record<string, any>[];
      expect(rows[0]!.prompt.map((m: { role: string }) => m.role)).toEqual(["system", "user"]);
      expect(rows[0]!.reward_model.style).toBe("rule");
      expect(rows[0]!.data_source).toMatch(/^datachef\/demo_/);
    }
    const prompts = jsonl("openrlhf-prompts.jsonl");
    expect(prompts).toHaveLength(8);
    expect(new Set(prompts.map((p) => p.label)).size).toBe(8);
  }, 120_000);

  it("records an LLM (chef) policy's calls as the trajectory and its reply as the completion", async () => {
    const full = await preparedTasks.get(tasks[0]!, { maxRecords: 200 });
    const view = instanceView(full, full.loaded.spec.sources.map((s) => s.id));
    const reply = builtinCompletion(view, 42);
    const server = await startOpenAiTestServer({ replies: [{ match: /You are datachef, an expert/, content: reply, name: "chef" }] });
    try {
      const ctx = rolloutContext({ group: 2, seed: 9, samples: 10, maxAttempts: 1, maxRecordsOverride: 200, model: "test-model", baseUrl: server.url, policyMode: "chef", judgeModel: "builtin", concurrency: 2 });
      const out = await rolloutGraph.invoke({ tasks: [tasks[0]!] }, { context: ctx });
      expect(out.rollouts).toHaveLength(2);
      for (const r of out.rollouts) {
        expect(r.status).toBe("ok");
        expect(r.trajectory.kind).toBe("llm");
        expect(r.trajectory.calls!.some((c) => c.agent === "chef" && c.status === "ok")).toBe(true);
        expect(r.completion).toBe(reply);
        expect(r.prompt).toEqual(instancePrompt(view));
        expect(r.policy).toBe("test-model");
      }
      // both rollouts asked the model once each, with the prompt the store keeps
      expect(server.chatRequests()).toHaveLength(2);
      expect(out.groups![0]!.complete).toBe(true);
    } finally {
      await server.close();
    }
  }, 180_000);

  it("keeps run folders (report.json and report.html) only when asked; temporary ones leave nothing", async () => {
    const keep = path.join(dir, "kept");
    const before = new Set(readdirSync(os.tmpdir()).filter((f) => f.startsWith("datachef-rollout-")));
    const ctx = { group: 2, seed: 4, samples: 10, maxAttempts: 1, maxRecordsOverride: 200, concurrency: 2 };
    await rolloutGraph.invoke({ tasks: [tasks[1]!] }, { context: rolloutContext(ctx) });
    expect(readdirSync(os.tmpdir()).filter((f) => f.startsWith("datachef-rollout-") && !before.has(f))).toEqual([]);
    const out = await rolloutGraph.invoke({ tasks: [tasks[1]!] }, { context: rolloutContext({ ...ctx, keepRunsDir: keep }) });
    expect(out.rollouts).toHaveLength(2);
    const [group] = readdirSync(keep);
    for (const i of ["0", "1"]) expect(readdirSync(path.join(keep, group!, i))).toEqual(expect.arrayContaining(["report.json", "report.html", "data.jsonl"]));
  }, 180_000);
});
