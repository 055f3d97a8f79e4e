import { appendFileSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Journal, journalKey } from "./journal.js";
import { row } from "./testing/fixtures.js";

test("keys are (task, variant, seed)", () => {
  expect(journalKey("a", "b", 1)).not.toBe(journalKey("a", "b", 2));
  expect(journalKey("a", "b c", 1)).not.toBe(journalKey("a b", "c", 1));
});

test("a journal survives a reopen and a torn last line", () => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "journal-")), "journal.jsonl");
  const j = new Journal(file);
  j.add(row({ seed: 1 }));
  j.add(row({ seed: 2, variant: "random-plan", kind: "random-plan" }));
  // a kill in the middle of a write
  appendFileSync(file, '{"task":"t","variant":"pol');
  const k = new Journal(file);
  expect(k.size).toBe(2);
  expect(k.torn).toBe(1);
  expect(k.has("t", "policy", 1)).toBe(true);
  expect(k.has("t", "policy", 2)).toBe(false);
  expect(k.get("t", "random-plan", 2)?.score).toBe(0.8);
  // the next line is not glued onto the torn one
  k.add(row({ seed: 3 }));
  const again = new Journal(file);
  expect(again.size).toBe(3);
  expect(readFileSync(file, "utf8").split("\n").filter(Boolean)).toHaveLength(4);
});
