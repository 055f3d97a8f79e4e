/**
 * File writers for the demo and fixture data: JSONL, JSON array, CSV (RFC 4180 quoting) and
 * Parquet with real nested columns (structs and lists, via an explicit schema for
 * hyparquet-writer). A small CSV parser lives here too, so tests can round-trip what we write.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import type { SchemaElement } from "hyparquet-writer";

export type Row = Record<string, unknown>;

async function writeText(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text, "utf8");
}

export async function writeJsonl(file: string, rows: readonly unknown[]): Promise<void> {
  await writeText(file, rows.map((r) => JSON.stringify(r)).join("\n") + (rows.length ? "\n" : ""));
}

export async function writeJsonArray(file: string, rows: readonly unknown[]): Promise<void> {
  await writeText(file, JSON.stringify(rows, null, 2) + "\n");
}

// ---------------------------------------------------------------------------------------------
// CSV

/** One CSV field: quoted when it holds a delimiter, quote, line break or edge whitespace. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s = typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly Row[]): string {
  const lines = [header.map(csvField).join(",")];
  for (const r of rows) lines.push(header.map((h) => csvField(r[h])).join(","));
  return lines.join("\n") + "\n";
}

export async function writeCsv(file: string, header: readonly string[], rows: readonly Row[]): Promise<void> {
  await writeText(file, toCsv(header, rows));
}

/** RFC 4180 parser: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = "";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") quoted = true;
    else if (c === ",") endField();
    else if (c === "\n" || c === "\r") {
      endField();
      rows.push(row);
      row = [];
      if (c === "\r" && text[i + 1] === "\n") i++;
    } else field += c;
    i++;
  }
  if (quoted) throw new Error("CSV ends inside a quoted field");
  if (field !== "" || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

/** CSV text to objects keyed by the header row. */
export function parseCsvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  return rows.map((r) => {
    if (r.length !== header.length) throw new Error(`CSV row has ${r.length} fields, header has ${header.length}`);
    return Object.fromEntries(header.map((h, i) => [h, r[i]!]));
  });
}

// ---------------------------------------------------------------------------------------------
// Parquet

/** Shape of a column, inferred from every row (not a sample, so the schema never lies). */
type Shape =
  | { kind: "string" | "int" | "double" | "bool" | "unknown"; optional: boolean }
  | { kind: "struct"; optional: boolean; fields: Map<string, Shape> }
  | { kind: "list"; optional: boolean; item: Shape };

function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return { kind: "unknown", optional: true };
  if (typeof value === "string") return { kind: "string", optional: false };
  if (typeof value === "boolean") return { kind: "bool", optional: false };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`parquet: cannot write ${value}`);
    return { kind: Number.isInteger(value) && Math.abs(value) < 2 ** 31 ? "int" : "double", optional: false };
  }
  if (Array.isArray(value)) {
    let item: Shape = { kind: "unknown", optional: false };
    for (const v of value) item = merge(item, shapeOf(v));
    return { kind: "list", optional: false, item };
  }
  if (typeof value === "object") {
    const fields = new Map<string, Shape>();
    for (const [k, v] of Object.entries(value)) fields.set(k, shapeOf(v));
    return { kind: "struct", optional: false, fields };
  }
  throw new Error(`parquet: unsupported value type ${typeof value}`);
}

function merge(a: Shape, b: Shape): Shape {
  const optional = a.optional || b.optional;
  if (a.kind === "unknown") return { ...b, optional };
  if (b.kind === "unknown") return { ...a, optional };
  if ((a.kind === "int" && b.kind === "double") || (a.kind === "double" && b.kind === "int")) return { kind: "double", optional };
  if (a.kind === "struct" && b.kind === "struct") {
    const fields = new Map<string, Shape>();
    // A key missing on one side makes that field optional.
    for (const [k, v] of a.fields) fields.set(k, b.fields.has(k) ? merge(v, b.fields.get(k)!) : { ...v, optional: true });
    for (const [k, v] of b.fields) if (!a.fields.has(k)) fields.set(k, { ...v, optional: true });
    return { kind: "struct", optional, fields };
  }
  if (a.kind === "list" && b.kind === "list") return { kind: "list", optional, item: merge(a.item, b.item) };
  if (a.kind === b.kind) return { ...a, optional };
  throw new Error(`parquet: a column mixes ${a.kind} and ${b.kind}`);
}

function schemaElements(name: string, shape: Shape): SchemaElement[] {
  const repetition_type = shape.optional ? "OPTIONAL" : "REQUIRED";
  switch (shape.kind) {
    case "string":
    case "unknown":
      return [{ name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type }];
    case "int":
      return [{ name, type: "INT32", repetition_type }];
    case "double":
      return [{ name, type: "DOUBLE", repetition_type }];
    case "bool":
      return [{ name, type: "BOOLEAN", repetition_type }];
    case "struct": {
      const children = [...shape.fields].flatMap(([k, v]) => schemaElements(k, v));
      return [{ name, repetition_type, num_children: shape.fields.size }, ...children];
    }
    case "list":
      // The standard three-level LIST layout, which every Parquet reader understands.
      return [
        { name, repetition_type, converted_type: "LIST", num_children: 1 },
        { name: "list", repetition_type: "REPEATED", num_children: 1 },
        ...schemaElements("element", shape.item),
      ];
  }
}

/** Parquet bytes for rows of (possibly nested) objects; columns follow first-seen key order. */
export function parquetBytes(rows: readonly Row[]): ArrayBuffer {
  if (rows.length === 0) throw new Error("parquet: no rows to write");
  const columns = new Map<string, Shape>();
  rows.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) {
      const prev = columns.get(k);
      // A column first seen after row 0 is missing (null) in the earlier rows.
      columns.set(k, prev ? merge(prev, shapeOf(v)) : i > 0 ? { ...shapeOf(v), optional: true } : shapeOf(v));
    }
    for (const [k, s] of columns) if (!(k in r)) columns.set(k, { ...s, optional: true });
  });
  const schema: SchemaElement[] = [{ name: "root", num_children: columns.size }];
  for (const [k, s] of columns) schema.push(...schemaElements(k, s));
  const columnData = [...columns.keys()].map((k) => ({ name: k, data: rows.map((r) => r[k] ?? null) }));
  return parquetWriteBuffer({ columnData, schema, createdBy: "datachef demo" });
}

export async function writeParquet(file: string, rows: readonly Row[]): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, new Uint8Array(parquetBytes(rows)));
}
