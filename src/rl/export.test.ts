import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { writeExport } from "./export.js";
import { fakeRollout } from "./testing.js";
import type { GroupRecord, TaskInstance } from "./types.js";

const prompt = [
  { role: "system", content: "You are datachef." },
  { role: "user", content: "## Task `t1`\ncook a recipe" },
];

/** Reads a parquet file back with hyparquet: column names and rows (BigInt as number). */
async function readParquet(file: string): Promise<{ columns: string[]; rows: Record<string, any>[]; numRows: number }> {
  const buf = readFileSync(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  const md = parquetMetadata(ab);
  const columns = parquetSchema(md).children.map((c: { element: { name: string } }) => c.element.name);
  const rows = JSON.parse(JSON.stringify(await parquetReadObjects({ file: ab }), (_, v) => (typeof v === "bigint" ? Number(v) : v)));
  return { columns, rows, numRows: Number(md.num_rows) };
}

describe("exports (read back)", () => {
  let dir: string;
  const rollouts = [
    fakeRollout({ prompt, index: 0, reward: 0.2, advantage: -0.7 }),
    fakeRollout({ prompt, index: 1, reward: 0.6, advantage: 0.7 }),
    fakeRollout({ prompt, index: 2, status: "failed", reward: null }),
    fakeRollout({ prompt, groupId: "c:t1@a+b", instanceId: "t1@a+b", index: 0, reward: -1, status: "execution_error", advantage: null }),
  ];
  const groups: GroupRecord[] = [{ groupId: "c:t1", collection: "c", instanceId: "t1", taskId: "t1", size: 2, policy: "builtin", seed: 1, method: "grpo", stats: { n: 2, mean: 0.4, std: 0.28, min: 0.2, max: 0.6 }, flags: [], complete: true }];
  const instances: TaskInstance[] = [
    { instanceId: "t1", taskId: "t1", taskPath: "/t/t1.json", sources: ["a", "b", "c"], augmented: false, prompt },
    { instanceId: "t1@a+b", taskId: "t1", taskPath: "/t/t1.json", sources: ["a", "b"], augmented: true, prompt },
  ];
  beforeAll(() => (dir = mkdtempSync(path.join(os.tmpdir(), "dc-export-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const lines = (f: string) => readFileSync(f, "utf8").trim().split("\n").map((l) => JSON.parse(l));

  it("TRL: conversational prompt/completion with reward and advantage; failed rollouts left out", () => {
    const f = path.join(dir, "trl.jsonl");
    expect(writeExport("trl", f, { rollouts, groups })).toBe(3);
    const rows = lines(f);
    expect(rows[0]).toMatchObject({ prompt, completion: [{ role: "assistant", content: rollouts[0]!.completion }], reward: 0.2, advantage: -0.7, group_id: "c:t1", instance_id: "t1" });
    expect(rows.map((r) => r.status)).not.toContain("failed");
  });

  it("OpenRLHF: input (chat), output, reward and the instance as label", () => {
    const f = path.join(dir, "openrlhf.jsonl");
    writeExport("openrlhf", f, { rollouts });
    const rows = lines(f);
    expect(rows[2]).toMatchObject({ input: prompt, output: rollouts[3]!.completion, reward: -1, label: "t1@a+b", advantage: null });
  });

  it("ART: one trajectory group per line, the answer as a Choice", () => {
    const f = path.join(dir, "art.jsonl");
    expect(writeExport("art", f, { rollouts, groups })).toBe(2);
    const [g] = lines(f);
    expect(g.trajectories).toHaveLength(2);
    expect(g.trajectories[1].messages_and_choices.at(-1)).toEqual({ finish_reason: "stop", index: 0, message: { role: "assistant", content: rollouts[1]!.completion } });
    expect(g.trajectories[1]).toMatchObject({ reward: 0.6, metrics: { advantage: 0.7, ok: 1 } });
    expect(g.metadata).toMatchObject({ group_id: "c:t1", reward_mean: 0.4 });
    for (const v of [...Object.values(g.metadata), ...Object.values(g.trajectories[0].metadata)]) expect(["string", "number", "boolean"].includes(typeof v) || v === null).toBe(true);
  });

  it("verl: parquet with data_source, prompt (chat list), ability, reward_model{style, ground_truth}, extra_info", async () => {
    const f = path.join(dir, "verl.parquet");
    writeExport("verl", f, { rollouts });
    const { columns, rows, numRows } = await readParquet(f);
    expect(columns).toEqual(["data_source", "prompt", "ability", "reward_model", "extra_info"]);
    expect(numRows).toBe(3);
    expect(rows[0]).toMatchObject({ data_source: "datachef/t1", prompt, ability: "data_recipe", reward_model: { style: "rule", ground_truth: "t1" } });
    expect(rows[0]!.extra_info).toMatchObject({ split: "train", index: 0, group_id: "c:t1", rollout_index: 0, reward: 0.2, advantage: -0.7, response: rollouts[0]!.completion });
    expect(rows[2]!.extra_info.advantage).toBeNull();
  });

  it("prompt datasets: one row per instance, labelled with the instance id", async () => {
    const t = path.join(dir, "p-trl.jsonl");
    const o = path.join(dir, "p-orl.jsonl");
    const v = path.join(dir, "p-verl.parquet");
    expect(writeExport("trl-prompts", t, { instances })).toBe(2);
    writeExport("openrlhf-prompts", o, { instances });
    writeExport("verl-prompts", v, { instances });
    expect(lines(t)[1]).toEqual({ prompt, instance_id: "t1@a+b", task_id: "t1" });
    expect(lines(o)[0]).toEqual({ input: prompt, label: "t1" });
    const pq = await readParquet(v);
    expect(pq.columns).toEqual(["data_source", "prompt", "ability", "reward_model", "extra_info"]);
    expect(pq.rows[1]).toMatchObject({ data_source: "datachef/t1", prompt, reward_model: { style: "rule", ground_truth: "t1@a+b" }, extra_info: { index: 1, instance_id: "t1@a+b", task_id: "t1" } });
  });
});
