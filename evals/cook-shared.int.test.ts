/**
 * Acceptance: every shared task cooks with the built-in policy, ok on the first attempt, every
 * line a chat record, and no leak by an independent 13-gram check (gsm8k's trap included).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cookOne, cookTable, specFiles, type CookRow } from "./cook-shared.js";
import { leakCheck } from "./leak-check.js";
import { describeWithShared, SHARED_DATASETS, SHARED_TASKS } from "./shared.js";


describeWithShared("cooking the shared tasks")("cooking the shared tasks", () => {
  const out = mkdtempSync(path.join(os.tmpdir(), "datachef-shared-"));
  const rows: CookRow[] = [];

  test.each(specFiles(SHARED_TASKS).map((f) => [path.basename(f, ".json"), f]))(
    "%s cooks ok on the first attempt with clean, leak-free data",
    async (name, spec) => {
      const row = await cookOne(spec, path.join(out, name), 1);
      rows.push(row);
      expect(row.status).toBe("ok");
      expect(row.attempts).toBe(1);
      expect(row.records).toBeGreaterThan(0);
      expect(row.invalidLines).toBe(0);
      expect(row.leaks.substantial).toBe(0);
    },
    180_000,
  );

  test("the independent leak check does catch the gsm8k trap", async () => {
    const data = path.join(out, "socratic-as-training.jsonl");
    const lines = readFileSync(path.join(SHARED_DATASETS, "math", "gsm8k_socratic_test.jsonl"), "utf8").split("\n").filter(Boolean);
    writeFileSync(data, lines.map((l) => JSON.stringify({ messages: [{ role: "user", content: JSON.parse(l).question }, { role: "assistant", content: "x" }] })).join("\n"));
    const r = await leakCheck(path.join(SHARED_DATASETS, "math", "gsm8k_test.jsonl"), data);
    expect(r.substantial / r.records).toBeGreaterThan(0.99);
  });

  afterAll(() => {
    if (rows.length) console.log(cookTable(rows));
  });
});
