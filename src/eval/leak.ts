/**
 * An independent contamination check for evaluations: deliberately NOT the verifier's code
 * (src/verify/ngrams.ts), so a bug there cannot hide a leak here. Own tokeniser, no hashing.
 * It reads the benchmark file itself and counts
 *  - strict: training records whose user turn shares ANY 13-gram with any benchmark record;
 *  - substantial: records that carry at least half of one benchmark text field's 13-grams, where
 *    that is a substantial part of the benchmark record (8+ shared 13-grams, or a field holding
 *    10%+ of the record's 13-grams: a whole short question counts, a heading above a long table
 *    does not), not counting template n-grams (found in more than max(3, 1%) of benchmark
 *    records, such as report headers or "which of the following" stems).
 * The benchmark index is built once (`buildLeakIndex`) and reused for every recipe of a task.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { readRecords } from "../data/readers.js";

const WORD = /[\p{L}\p{N}]+/gu;

function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

function grams(ws: string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= ws.length; i++) out.push(ws.slice(i, i + n).join(" "));
  return out;
}

function leaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === "string") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => leaves(x, out));
  return out;
}

export interface LeakCheck {
  records: number;
  strict: number;
  substantial: number;
  examples: { line: number; shared: string }[];
}

export interface LeakIndex {
  n: number;
  /** gram -> ids of the benchmark text fields holding it */
  index: Map<string, number[]>;
  /** distinct non-template grams per field */
  fieldSize: number[];
  /** distinct non-template grams of the benchmark record each field belongs to */
  recordSizeOfField: number[];
  isTemplate: (g: string) => boolean;
  benchmarkRecords: number;
}

export async function buildLeakIndex(benchmarkPath: string, n = 13): Promise<LeakIndex> {
  const index = new Map<string, number[]>();
  const fieldGrams: Set<string>[] = [];
  const fieldRecord: number[] = [];
  const recordGrams: Set<string>[] = [];
  const docFreq = new Map<string, number>();
  let benchmarkRecords = 0;
  for await (const { record } of readRecords(benchmarkPath, { onMalformed: "skip" })) {
    benchmarkRecords++;
    const inRecord = new Set<string>();
    for (const text of leaves(record)) {
      const gs = new Set(grams(words(text), n));
      if (gs.size === 0) continue;
      const id = fieldGrams.push(gs) - 1;
      fieldRecord.push(benchmarkRecords - 1);
      for (const g of gs) {
        inRecord.add(g);
        const ids = index.get(g);
        if (ids) ids.push(id);
        else index.set(g, [id]);
      }
    }
    for (const g of inRecord) docFreq.set(g, (docFreq.get(g) ?? 0) + 1);
    recordGrams.push(inRecord);
  }
  const templateDf = Math.max(3, 0.01 * benchmarkRecords);
  const isTemplate = (g: string) => (docFreq.get(g) ?? 0) > templateDf;
  const kept = (gs: Set<string>) => [...gs].filter((g) => !isTemplate(g)).length;
  const fieldSize = fieldGrams.map(kept);
  const recordSize = recordGrams.map(kept);
  const recordSizeOfField = fieldRecord.map((r) => recordSize[r]!);
  return { n, index, fieldSize, recordSizeOfField, isTemplate, benchmarkRecords };
}

/** Checks one user turn against the index: any shared gram, and whether it is a substantial copy. */
export function leakOf(user: string, ix: LeakIndex): { strict: boolean; substantial: boolean; shared?: string } {
  const hits = new Map<number, number>();
  let first: string | undefined;
  for (const g of new Set(grams(words(user), ix.n))) {
    const ids = ix.index.get(g);
    if (!ids) continue;
    first ??= g;
    if (ix.isTemplate(g)) continue;
    for (const id of new Set(ids)) hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  const substantial = [...hits].some(([id, k]) => {
    const size = ix.fieldSize[id]!;
    return size > 0 && k >= 0.5 * size && (k >= 8 || size >= 0.1 * ix.recordSizeOfField[id]!);
  });
  return { strict: first !== undefined, substantial, ...(first ? { shared: first } : {}) };
}

export async function leakCheckWith(ix: LeakIndex, dataPath: string): Promise<LeakCheck> {
  const out: LeakCheck = { records: 0, strict: 0, substantial: 0, examples: [] };
  const rl = createInterface({ input: createReadStream(dataPath, "utf8"), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    out.records++;
    let rec: { messages?: { role: string; content: string }[] };
    try {
      rec = JSON.parse(text) as typeof rec;
    } catch {
      continue;
    }
    const user = (rec.messages ?? []).filter((m) => m.role === "user").map((m) => m.content).join("\n");
    const leak = leakOf(user, ix);
    if (leak.strict) {
      out.strict++;
      if (out.examples.length < 5) out.examples.push({ line, shared: leak.shared! });
    }
    if (leak.substantial) out.substantial++;
  }
  return out;
}

export async function leakCheck(benchmarkPath: string, dataPath: string, n = 13): Promise<LeakCheck> {
  return leakCheckWith(await buildLeakIndex(benchmarkPath, n), dataPath);
}
