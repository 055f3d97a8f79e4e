/**
 * Views of benchmark records for the judge: the input text (what a user turn would hold) and
 * the reference answer, located through the contract's field paths. The benchmark only ever
 * serves verification here; none of it reaches training data.
 */
import type { TaskContract } from "../task/contract.js";
import { stringLeaves } from "../data/text.js";

/** Values at a dotted path; `a[]` (or `a[].b`) walks array elements. Missing paths give []. */
export function valuesAtPath(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  for (const raw of path.split(".").filter(Boolean)) {
    const arrays = raw.endsWith("[]");
    const key = arrays ? raw.slice(0, -2) : raw;
    const next: unknown[] = [];
    for (const v of current) {
      if (!v || typeof v !== "object" || Array.isArray(v)) continue;
      const child = (v as Record<string, unknown>)[key];
      if (child === undefined || child === null) continue;
      if (arrays && Array.isArray(child)) next.push(...child);
      else next.push(child);
    }
    current = next;
  }
  return current;
}

function withoutPath(record: unknown, path: string | undefined): unknown {
  if (!path || !record || typeof record !== "object" || Array.isArray(record) || path.includes(".") || path.includes("[]")) return record;
  const { [path]: _dropped, ...rest } = record as Record<string, unknown>;
  return rest;
}

/** The benchmark record's input as text: its input fields, else everything but the answer field. */
export function benchmarkInput(record: unknown, contract: TaskContract): string {
  const fromFields = contract.inputFields.flatMap((f) => valuesAtPath(record, f)).flatMap((v) => stringLeaves(v));
  if (fromFields.some((s) => s.trim())) return fromFields.join("\n");
  return stringLeaves(withoutPath(record, contract.answerField)).join("\n");
}

/** The reference answer as a string, when the contract names a scalar answer field. */
export function benchmarkAnswer(record: unknown, contract: TaskContract): string | undefined {
  if (!contract.answerField) return undefined;
  const v = valuesAtPath(record, contract.answerField)[0];
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean" ? String(v) : undefined;
}
