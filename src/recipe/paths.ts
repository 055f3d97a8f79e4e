/** Where datachef keeps its caches and demo data; overridable by environment. */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository (package) root, found from this file's location. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Cache for staged sources and fingerprints: $DATACHEF_CACHE or <cwd>/.datachef/cache. */
export function cacheDir(): string {
  return process.env.DATACHEF_CACHE ? path.resolve(process.env.DATACHEF_CACHE) : path.resolve(".datachef", "cache");
}
