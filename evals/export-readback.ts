/**
 * Writes every export format from a rollout store and reads each file back (JSONL parsed line by
 * line, parquet with hyparquet), printing rows and columns.
 * Run: npx tsx evals/export-readback.ts --store FILE [--out DIR]
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { exportCommand } from "../src/cli/export.js";
import { EXPORT_FORMATS } from "../src/rl/export.js";

export async function readBack(file: string): Promise<{ rows: number; columns: string[]; first: Record<string, unknown> }> {
  if (file.endsWith(".parquet")) {
    const buf = readFileSync(file);
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const md = parquetMetadata(ab);
    const rows = (await parquetReadObjects({ file: ab, rowEnd: 1 })) as Record<string, unknown>[];
    return { rows: Number(md.num_rows), columns: parquetSchema(md).children.map((c: { element: { name: string } }) => c.element.name), first: rows[0]! };
  }
  const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  return { rows: lines.length, columns: Object.keys(lines[0] ?? {}), first: lines[0]! };
}

async function cli(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string, dflt?: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1]! : dflt;
  };
  const store = opt("--store");
  if (!store) throw new Error("--store FILE is required");
  const out = opt("--out", mkdtempSync(path.join(os.tmpdir(), "datachef-exports-")))!;
  for (const format of EXPORT_FORMATS) {
    const file = path.join(out, `${format}.${format.startsWith("verl") ? "parquet" : "jsonl"}`);
    await exportCommand({ store, format, out: file, augment: 0, seed: 0, json: true });
    const r = await readBack(file);
    console.log(`${format.padEnd(17)} ${String(r.rows).padStart(3)} rows  columns: ${r.columns.join(", ")}`);
  }
  console.log(`files in ${out}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await cli();
