import { jest } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { listTasks, formatTable } from "./tasks.js";
import { main } from "./main.js";

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), "datachef-cli-"));
}

const spec = (id: string) => ({
  id,
  instruction: "Do the thing.",
  benchmark: { id: "b", path: "b.jsonl" },
  sources: [{ id: "s1", path: "s1.jsonl" }],
});

describe("datachef tasks", () => {
  test("lists valid specs and reports invalid ones by file and field", () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "a.json"), JSON.stringify(spec("a")));
    writeFileSync(path.join(dir, "b.json"), JSON.stringify({ ...spec("b"), instruction: 3 }));
    writeFileSync(path.join(dir, "c.json"), JSON.stringify({ ...spec("c"), budgte: {} }));
    const l = listTasks(dir);
    expect(l.tasks.map((t) => t.id)).toEqual(["a", "c"]);
    expect(l.tasks[1]!.warnings[0]).toContain("'budgte'");
    expect(l.errors).toHaveLength(1);
    expect(l.errors[0]!.error).toMatch(/b\.json.*field 'instruction'/);
  });

  test("formatTable pads columns", () => {
    expect(formatTable([["a", "bb"], ["ccc", "d"]])).toBe("a    bb\nccc  d");
  });

  test("exit codes: missing folder is bad input, unknown command is a usage error", async () => {
    const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["tasks", "/nonexistent/dir"])).toBe(2);
      expect(await main(["frobnicate"])).toBe(2);
    } finally {
      err.mockRestore();
    }
  });
});
