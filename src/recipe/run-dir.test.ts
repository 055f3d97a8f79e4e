import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defaultOutDir, prepareOutDir, publishRun, RunDirError, stagingDir, writeFileAtomic } from "./run-dir.js";

const tmp = () => mkdtempSync(path.join(os.tmpdir(), "datachef-rundir-"));

describe("run folders", () => {
  test("refuses to overwrite an earlier run unless forced", () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "report.json"), "{}");
    expect(() => prepareOutDir(dir)).toThrow(RunDirError);
    expect(() => prepareOutDir(dir)).toThrow(/--force/);
    prepareOutDir(dir, true);
    expect(existsSync(path.join(dir, "report.json"))).toBe(false);
  });

  test("publishRun moves artifacts in and removes the staging folder", () => {
    const out = tmp();
    const staging = stagingDir(out, "abc");
    writeFileAtomic(path.join(staging, "report.json"), "{}");
    writeFileAtomic(path.join(staging, "data.jsonl"), "x\n");
    mkdirSync(path.join(staging, "attempts", "1"), { recursive: true });
    const order = publishRun(staging, out);
    expect(order.at(-1)).toBe("report.json");
    expect(readdirSync(out).sort()).toEqual(["attempts", "data.jsonl", "report.json"]);
  });

  test("an unpublished run leaves no report.json in the run folder", () => {
    const out = tmp();
    const staging = stagingDir(out, "x");
    writeFileAtomic(path.join(staging, "report.json"), "{}");
    expect(existsSync(path.join(out, "report.json"))).toBe(false);
  });

  test("defaultOutDir names task, time and seed", () => {
    expect(defaultOutDir("gsm8k", 3, "/r", new Date("2026-01-02T03:04:05Z"))).toBe("/r/gsm8k-20260102-030405-s3");
  });
});
