import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { bestSingleSource, recipeCandidates } from "./downstream.js";
import { knownBlindSpot } from "./ladders.js";
import { LABEL_CONTRACT, OPTION_CONTRACT, row } from "./testing/fixtures.js";

test("downstream training sets: distinct data choices of executed recipes, at most two per sampled variant", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "ds-"));
  const dir = (name: string) => {
    const d = path.join(root, name);
    mkdirSync(d, { recursive: true });
    writeFileSync(path.join(d, "data.jsonl"), "{}\n");
    return d;
  };
  const rows = [
    row({ kind: "single-source", variant: "single:a", source: "a", seed: 1, planKey: "A", outDir: dir("sa1") }),
    row({ kind: "single-source", variant: "single:a", source: "a", seed: 2, planKey: "A", outDir: dir("sa2") }),
    row({ kind: "all-sources", variant: "all-sources", seed: 1, planKey: "ALL", outDir: dir("all") }),
    row({ seed: 1, score: 0.9, planKey: "P1", outDir: dir("p1") }),
    row({ seed: 2, score: 0.5, planKey: "P2", outDir: dir("p2") }),
    row({ seed: 3, score: 0.7, planKey: "P3", outDir: dir("p3") }),
    row({ seed: 4, score: 0.8, planKey: "A", outDir: dir("p4") }),
    row({ kind: "random-plan", variant: "random-plan", seed: 1, status: "execution_error", planKey: "R1", outDir: dir("r1") }),
    row({ kind: "random-plan", variant: "random-plan", seed: 2, planKey: "R2", outDir: path.join(root, "gone") }),
  ];
  const names = recipeCandidates(rows).map((c) => c.name);
  // the best and the worst policy plan; a plan equal to a single source's is not counted twice
  expect(names).toEqual(["single:a", "all-sources", "policy s1", "policy s2"]);
});

test("named blind spots of the rule judge", () => {
  expect(knownBlindSpot("duplicates", LABEL_CONTRACT, "builtin-rules")).toMatch(/copy of a good record/);
  expect(knownBlindSpot("wrong_answer", OPTION_CONTRACT, "builtin-rules")).toMatch(/option letters cannot be checked without a model/);
  expect(knownBlindSpot("format", LABEL_CONTRACT, "builtin-rules")).toBeUndefined();
  // an LLM judge has no excuses on file
  expect(knownBlindSpot("duplicates", LABEL_CONTRACT, "llm:gpt")).toBeUndefined();
});

test("the base of the variants is the best source on average, at its lowest seed", () => {
  const rows = [
    row({ kind: "single-source", variant: "single:a", source: "a", seed: 1, score: 0.5 }),
    row({ kind: "single-source", variant: "single:a", source: "a", seed: 2, score: 1.0 }),
    row({ kind: "single-source", variant: "single:b", source: "b", seed: 2, score: 0.8 }),
    row({ kind: "single-source", variant: "single:b", source: "b", seed: 1, score: 0.8 }),
  ];
  expect(bestSingleSource(rows)).toMatchObject({ source: "b", seed: 1 });
  expect(bestSingleSource([])).toBeUndefined();
});
