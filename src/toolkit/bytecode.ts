/**
 * The toolkit compiled once per interpreter (a checked-hash .pyc in the cache folder), which
 * executeRecipe stages as `__pycache__/datachef_toolkit.<tag>.pyc` next to the toolkit: recipe
 * runs then skip compiling its 1300 lines (about 30 ms of every run). Python checks the source
 * hash recorded in the pyc before using it, so one that does not match the staged toolkit is
 * ignored and the source compiled as before; tracebacks still name the staged source file.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { cacheDir } from "../recipe/paths.js";
import { writeFileAtomic } from "../recipe/run-dir.js";
import { TOOLKIT_MODULE } from "./reference.js";

export interface ToolkitBytecode {
  /** Where it goes in the sandbox, next to the toolkit. */
  relPath: string;
  hostPath: string;
}

const COMPILE = `
import os, py_compile, sys
src, pyc = sys.argv[1:3]
tmp = "%s.%d.tmp" % (pyc, os.getpid())
py_compile.compile(src, cfile=tmp, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
os.replace(tmp, pyc)
with open(pyc[:-4] + ".tag", "w") as f:
    f.write(sys.implementation.cache_tag)
`;

const made = new Map<string, Promise<ToolkitBytecode | null>>();

/** The compiled toolkit (`source`: its exact text) for `python`, or null when it cannot be made. */
export function toolkitBytecode(python: string, source: Uint8Array): Promise<ToolkitBytecode | null> {
  const key = createHash("sha256").update(python).update("\0").update(source).digest("hex").slice(0, 24);
  let p = made.get(key);
  if (!p) {
    p = compileOnce(python, source, path.join(cacheDir(), "toolkit", key));
    made.set(key, p);
  }
  return p;
}

async function compileOnce(python: string, source: Uint8Array, base: string): Promise<ToolkitBytecode | null> {
  const pyc = `${base}.pyc`;
  const tagFile = `${base}.tag`;
  try {
    if (!existsSync(pyc) || !existsSync(tagFile)) {
      writeFileAtomic(`${base}.py`, source);
      await new Promise<void>((resolve, reject) => execFile(python, ["-c", COMPILE, `${base}.py`, pyc], { timeout: 30_000 }, (err) => (err ? reject(err) : resolve())));
    }
    const tag = readFileSync(tagFile, "utf8").trim();
    return tag ? { relPath: `__pycache__/${TOOLKIT_MODULE}.${tag}.pyc`, hostPath: pyc } : null;
  } catch {
    // no bytecode: the sandbox compiles the toolkit itself, as it always could
    return null;
  }
}
