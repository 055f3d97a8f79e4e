/**
 * Reading records by profile path: `a.b`, array elements as `a[]`, objects in arrays as
 * `a[].b` (the path syntax of src/data/fields.ts), plus field statistics of a few records.
 */
import { SchemaInference } from "../data/fields.js";
import type { FieldProfile } from "../data/types.js";

/** Per-path statistics of a few records (the profiler's schema inference, first-seen order). */
export function fieldStats(records: Record<string, unknown>[]): FieldProfile[] {
  const schema = new SchemaInference();
  for (const r of records) schema.add(r);
  return schema.profiles();
}

/** Values at a profile-style path (`a.b[].c`), flattened over `[]` steps. */
export function valuesAt(record: unknown, path: string): unknown[] {
  const steps = path.split(/\.(?![^[]*\])/).flatMap((seg) => {
    const m = /^([^[]*)((?:\[\])*)$/.exec(seg);
    if (!m) return [seg];
    const out: string[] = [];
    if (m[1]) out.push(m[1]);
    for (let i = 0; i < m[2]!.length / 2; i++) out.push("[]");
    return out;
  });
  let cur: unknown[] = [record];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const c of cur) {
      if (s === "[]") {
        if (Array.isArray(c)) next.push(...c);
      } else if (c && typeof c === "object" && !Array.isArray(c) && s in (c as object)) {
        next.push((c as Record<string, unknown>)[s]);
      }
    }
    cur = next;
  }
  return cur.filter((v) => v !== null && v !== undefined);
}
