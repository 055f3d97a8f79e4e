/**
 * Nested schema inference over a sample of records: one `FieldProfile` per path
 * (`a.b`, arrays as `a[]`, objects in arrays as `a[].b`).
 */
import type { FieldProfile, FieldType } from "./types.js";

/** Paths beyond this are not tracked: dict-like records keyed by ids would explode otherwise. */
export const MAX_FIELD_PATHS = 300;
/** Distinct values remembered per path; past it, `distinctRatio` is a lower bound. */
const DISTINCT_CAP = 5000;
/** A leaf is low-cardinality (gets `topValues`) with at most this many distinct values... */
const TOP_VALUES_MAX_DISTINCT = 20;
/** ...each seen this many times on average, so 3 unique ids out of 3 are not "categories". */
const TOP_VALUES_MIN_REPEAT = 2;
const VALUE_KEY_CHARS = 200;
const TOP_VALUE_CHARS = 100;
const EXAMPLE_CHARS = 200;

interface Acc {
  path: string;
  types: Partial<Record<FieldType, number>>;
  presentIn: number;
  lastRecord: number;
  strCount: number;
  strChars: number;
  strDistinct: Set<string>;
  leafCount: number;
  values: Map<string, number>;
  valuesOverflow: boolean;
  arrCount: number;
  arrItems: number;
  example?: unknown;
}

function typeOf(v: unknown): FieldType {
  if (v === null || v === undefined) return "null";
  if (Array.isArray(v)) return "array";
  switch (typeof v) {
    case "string":
      return "string";
    case "number":
      return Number.isInteger(v) ? "integer" : "number";
    case "boolean":
      return "boolean";
    default:
      return "object";
  }
}

export function truncateString(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}… [+${s.length - max} chars]`;
}

export class SchemaInference {
  private readonly accs = new Map<string, Acc>();
  private readonly topLevel = new Set<string>();
  private records = 0;

  add(record: Record<string, unknown>): void {
    const index = this.records++;
    for (const [k, v] of Object.entries(record)) {
      this.topLevel.add(k);
      this.walk(k, v, index);
    }
  }

  private acc(path: string): Acc | null {
    let a = this.accs.get(path);
    if (!a) {
      if (this.accs.size >= MAX_FIELD_PATHS) return null;
      a = {
        path,
        types: {},
        presentIn: 0,
        lastRecord: -1,
        strCount: 0,
        strChars: 0,
        strDistinct: new Set(),
        leafCount: 0,
        values: new Map(),
        valuesOverflow: false,
        arrCount: 0,
        arrItems: 0,
      };
      this.accs.set(path, a);
    }
    return a;
  }

  private walk(path: string, v: unknown, record: number): void {
    const a = this.acc(path);
    if (!a) return;
    const t = typeOf(v);
    a.types[t] = (a.types[t] ?? 0) + 1;
    if (t === "null") return;
    if (a.lastRecord !== record) {
      a.presentIn++;
      a.lastRecord = record;
    }
    if (t === "array") {
      const arr = v as unknown[];
      a.arrCount++;
      a.arrItems += arr.length;
      for (const x of arr) this.walk(`${path}[]`, x, record);
      return;
    }
    if (t === "object") {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) this.walk(`${path}.${k}`, x, record);
      return;
    }
    // scalar leaf
    const key = typeof v === "string" ? v.slice(0, VALUE_KEY_CHARS) : String(v);
    if (typeof v === "string") {
      a.strCount++;
      a.strChars += v.length;
      if (a.strDistinct.size < DISTINCT_CAP) a.strDistinct.add(key);
    }
    if (a.example === undefined) a.example = typeof v === "string" ? truncateString(v, EXAMPLE_CHARS) : v;
    a.leafCount++;
    if (!a.valuesOverflow) {
      a.values.set(key, (a.values.get(key) ?? 0) + 1);
      // only low-cardinality leaves need counts: stop once a path clearly is not one
      if (a.values.size > TOP_VALUES_MAX_DISTINCT) {
        a.valuesOverflow = true;
        a.values.clear();
      }
    }
  }

  profiles(): FieldProfile[] {
    const n = Math.max(1, this.records);
    const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
    return [...this.accs.values()].map((a) => {
      const p: FieldProfile = { path: a.path, types: a.types, presence: round(a.presentIn / n) };
      if (a.strCount > 0) {
        p.meanChars = round(a.strChars / a.strCount, 1);
        p.distinctRatio = round(a.strDistinct.size / a.strCount);
      }
      if (!a.valuesOverflow && a.values.size > 0 && a.leafCount >= TOP_VALUES_MIN_REPEAT * a.values.size) {
        p.topValues = [...a.values.entries()]
          .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
          .map(([value, count]) => ({ value: truncateString(value, TOP_VALUE_CHARS), count }));
      }
      if (a.arrCount > 0) p.meanItems = round(a.arrItems / a.arrCount, 2);
      if (a.example !== undefined) p.example = a.example;
      return p;
    });
  }

  /** Top-level keys in the order they were first seen. */
  topLevelFields(): string[] {
    return [...this.topLevel];
  }
}
