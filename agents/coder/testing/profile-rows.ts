/**
 * Test helper: a SourceProfile built from real rows with the profiler's own schema inference and
 * example truncation, without reading files through the data layer.
 */
import { readFileSync } from "node:fs";
import type { SourceProfile } from "../../../src/data/types.js";
import { lengthStats, truncateValue } from "../../../src/data/profile.js";
import { fieldStats } from "../../../src/task/record-fields.js";
import { recordText } from "../../../src/data/text.js";

export function profileFromRows(id: string, rows: Record<string, unknown>[], extra: Partial<SourceProfile> = {}): SourceProfile {
  return {
    id,
    path: `<rows:${id}>`,
    format: "jsonl",
    rows: rows.length,
    bytes: 0,
    malformed: 0,
    malformedExamples: [],
    invalidUtf8Lines: 0,
    topLevelFields: [...new Set(rows.flatMap((r) => Object.keys(r)))],
    fields: fieldStats(rows),
    examples: rows.slice(0, 3).map((r) => truncateValue(r) as Record<string, unknown>),
    textLength: lengthStats(rows.map((r) => recordText(r).length)),
    duplicateRate: 0,
    relevance: 0,
    sampleSize: rows.length,
    ...extra,
  };
}

/** The first `n` rows of a JSONL file. */
export function readRows(file: string, n = 300): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    out.push(JSON.parse(line));
    if (out.length >= n) break;
  }
  return out;
}

export function profileFile(id: string, file: string, n = 300): SourceProfile {
  return profileFromRows(id, readRows(file, n));
}
