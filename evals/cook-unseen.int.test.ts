/**
 * Acceptance: task specs the policy has never seen — the three unseen-schema tasks (nested
 * option lists, other field names, CSV, JSON arrays, Parquet with nested columns) and the three
 * demo tasks — cook with status ok under the built-in policy.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { generateUnseenTasks } from "../src/demo/unseen.js";
import { generateDemoPool } from "../src/demo/generate.js";
import { cookOne, cookTable, type CookRow } from "./cook-shared.js";

const root = mkdtempSync(path.join(os.tmpdir(), "datachef-unseen-"));
let specs: string[] = [];
const rows: CookRow[] = [];

beforeAll(async () => {
  const unseen = await generateUnseenTasks(path.join(root, "unseen"));
  const demo = await generateDemoPool(path.join(root, "demo"));
  specs = [...unseen, ...demo.tasks];
});

test("six never-seen task specs cook ok, leak-free, every line a chat record", async () => {
  expect(specs.length).toBeGreaterThanOrEqual(6);
  for (const spec of specs) {
    const row = await cookOne(spec, path.join(root, "runs", path.basename(spec, ".json")), 3);
    rows.push(row);
  }
  console.log(cookTable(rows));
  for (const row of rows) {
    expect({ task: row.task, status: row.status }).toEqual({ task: row.task, status: "ok" });
    expect(row.invalidLines).toBe(0);
    expect(row.leaks.substantial).toBe(0);
    expect(row.reward).toBeGreaterThan(0.5);
  }
}, 600_000);
