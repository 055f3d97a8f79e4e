/**
 * The Python helper sections recipes are assembled from (templates/helpers.py). Keeping them in
 * a real .py file lets them be tested with python's unittest and read as ordinary Python.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

export type HelperName = "text" | "numbers" | "options" | "labels" | "context" | "compose" | "code" | "chat" | "coverage" | "io" | "explode";

interface Section {
  name: HelperName;
  deps: HelperName[];
  code: string;
}

const HELPERS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "templates", "helpers.py");

let cache: Section[] | undefined;

function sections(): Section[] {
  if (cache) return cache;
  const text = readFileSync(HELPERS_FILE, "utf8");
  const out: Section[] = [];
  const re = /^# @helper (\w+):([^\n]*)\n/gm;
  const marks = [...text.matchAll(re)];
  marks.forEach((m, i) => {
    const end = i + 1 < marks.length ? marks[i + 1]!.index : text.length;
    out.push({
      name: m[1] as HelperName,
      deps: m[2]!.split(",").map((d) => d.trim()).filter(Boolean) as HelperName[],
      code: text.slice(m.index + m[0].length, end).trim(),
    });
  });
  return (cache = out);
}

/** The code of the named sections and everything they depend on, in file order. */
export function helperCode(names: Iterable<HelperName>): string {
  const all = sections();
  const want = new Set<HelperName>();
  const add = (n: HelperName) => {
    if (want.has(n)) return;
    const s = all.find((x) => x.name === n);
    if (!s) throw new Error(`unknown helper section '${n}'`);
    want.add(n);
    s.deps.forEach(add);
  };
  for (const n of names) add(n);
  return all.filter((s) => want.has(s.name)).map((s) => s.code).join("\n\n\n");
}
