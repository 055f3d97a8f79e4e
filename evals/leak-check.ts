/**
 * An independent contamination check for evaluations: deliberately NOT the verifier's code, so a
 * bug there cannot hide a leak here. It reads the benchmark file itself and counts
 *  - strict: training records whose user turn shares ANY 13-gram with any benchmark record;
 *  - substantial: records that carry at least half of one benchmark text field's 13-grams, not
 *    counting template n-grams (found in more than max(3, 1%) of benchmark records, such as
 *    report headers or "which of the following" stems), which are no evidence of a leak.
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { readRecords } from "../src/data/readers.js";

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

export async function leakCheck(benchmarkPath: string, dataPath: string, n = 13): Promise<LeakCheck> {
  // gram -> field ids; field id -> number of distinct grams
  const index = new Map<string, number[]>();
  const fieldGrams: Set<string>[] = [];
  const docFreq = new Map<string, number>();
  let benchmarkRecords = 0;
  for await (const { record } of readRecords(benchmarkPath, { onMalformed: "skip" })) {
    benchmarkRecords++;
    const inRecord = new Set<string>();
    for (const text of leaves(record)) {
      const gs = new Set(grams(words(text), n));
      if (gs.size === 0) continue;
      const id = fieldGrams.push(gs) - 1;
      for (const g of gs) {
        inRecord.add(g);
        const ids = index.get(g);
        if (ids) ids.push(id);
        else index.set(g, [id]);
      }
    }
    for (const g of inRecord) docFreq.set(g, (docFreq.get(g) ?? 0) + 1);
  }
  const templateDf = Math.max(3, 0.01 * benchmarkRecords);
  const isTemplate = (g: string) => (docFreq.get(g) ?? 0) > templateDf;
  const fieldSize = fieldGrams.map((gs) => [...gs].filter((g) => !isTemplate(g)).length);
  const out: LeakCheck = { records: 0, strict: 0, substantial: 0, examples: [] };
  const rl = createInterface({ input: createReadStream(dataPath, "utf8"), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    out.records++;
    const rec = JSON.parse(text) as { messages: { role: string; content: string }[] };
    const user = rec.messages.filter((m) => m.role === "user").map((m) => m.content).join("\n");
    const hits = new Map<number, number>();
    let first: string | undefined;
    for (const g of new Set(grams(words(user), n))) {
      const ids = index.get(g);
      if (!ids) continue;
      first ??= g;
      if (isTemplate(g)) continue;
      for (const id of new Set(ids)) hits.set(id, (hits.get(id) ?? 0) + 1);
    }
    if (first) {
      out.strict++;
      if (out.examples.length < 5) out.examples.push({ line, shared: first });
    }
    if ([...hits].some(([id, k]) => fieldSize[id]! > 0 && k >= 0.5 * fieldSize[id]!)) out.substantial++;
  }
  return out;
}
