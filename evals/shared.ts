/** Where the shared datasets and task specs live, and how tests skip visibly without them. */
import { existsSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../src/recipe/paths.js";

export const SHARED_DIR = path.resolve(REPO_ROOT, "..", "shared");
export const SHARED_TASKS = path.join(SHARED_DIR, "tasks");
export const SHARED_DATASETS = path.join(SHARED_DIR, "datasets");

export function hasShared(): boolean {
  return existsSync(SHARED_TASKS) && existsSync(SHARED_DATASETS);
}

/** `describe` when ../shared is present, else `describe.skip` with a visible warning. */
export function describeWithShared(what: string): jest.Describe {
  if (hasShared()) return describe;
  console.warn(`SKIPPED ${what}: ${SHARED_DIR} is absent (it holds the shared datasets and task specs)`);
  return describe.skip;
}
