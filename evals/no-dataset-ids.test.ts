/**
 * The built-in planner and coder must decide from features, never from names: no shared dataset
 * id or file name may appear in their source code.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../src/recipe/paths.js";
import { describeWithShared, SHARED_DATASETS } from "./shared.js";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return f === "testing" ? [] : sourceFiles(p);
    return /\.(ts|py|txt)$/.test(f) && !/(\.test\.ts|testing\.ts|^test_.*\.py)$/.test(f) ? [p] : [];
  });
}

describeWithShared("policy code names no dataset")("policy code names no dataset", () => {
  test("no shared dataset id or file name in agents/planner, agents/coder, src/task, src/toolkit", () => {
    const catalog = JSON.parse(readFileSync(path.join(SHARED_DATASETS, "CATALOG.json"), "utf8")) as { id: string; path: string }[];
    const names = catalog.flatMap((c) => [c.id, path.basename(c.path)]).filter((n) => n.length >= 4);
    const dirs = ["agents/planner", "agents/coder", "src/task", "src/toolkit"].map((d) => path.join(REPO_ROOT, d));
    const hits: string[] = [];
    for (const file of dirs.flatMap(sourceFiles)) {
      const text = readFileSync(file, "utf8").toLowerCase();
      for (const name of names) if (new RegExp(`\\b${name.toLowerCase().replace(/[.]/g, "\\.")}\\b`).test(text)) hits.push(`${path.relative(REPO_ROOT, file)}: ${name}`);
    }
    expect(hits).toEqual([]);
  });
});
