/**
 * CSV/TSV after RFC 4180: a header row names the fields; quoted fields may hold delimiters,
 * newlines and doubled quotes. Parsed at the byte level (all syntax is ASCII), decoded per field.
 *
 * Choices:
 * - Values stay strings, always. CSV carries no types, and guessing ("007", ids, "1e5", dates)
 *   silently changes data; recipes convert what they need. Empty fields are "".
 * - A row whose field count differs from the header's is malformed (reported, not padded).
 * - Empty header names become `column_<n>`; repeated names get `_2`, `_3`, ... suffixes.
 * - Blank lines are skipped; a CR outside quotes is dropped (so \r\n works); a quote inside an
 *   unquoted field, or after a closing quote, is kept literally.
 * - The delimiter is tab for .tsv/.tab files; otherwise the most frequent of , ; | and tab on
 *   the header line (ties go to the comma).
 */
import path from "node:path";
import { fileChunks } from "./bytes.js";
import { RecordSink, settle, type ReadItem, type ReadOptions } from "./records.js";

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** The delimiter for a file, from its extension or its first line. */
export function sniffDelimiter(file: string, head: Buffer): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".tsv" || ext === ".tab") return "\t";
  const nl = head.indexOf(LF);
  const firstLine = head.subarray(0, nl < 0 ? head.length : nl).toString("utf8");
  let best = ",";
  let bestCount = 0;
  for (const d of [",", "\t", ";", "|"]) {
    // Count outside quotes only: a quoted header may contain commas.
    let n = 0;
    let q = false;
    for (const ch of firstLine) {
      if (ch === '"') q = !q;
      else if (!q && ch === d) n++;
    }
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}

/** Unique, non-empty field names for a header row. */
export function headerNames(raw: string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((h, i) => {
    const base = h.trim() === "" ? `column_${i + 1}` : h;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  });
}

/** A growable byte buffer holding the current row; fields are [start, end) offsets into it. */
class RowBuffer {
  buf = Buffer.allocUnsafe(64 * 1024);
  len = 0;
  push(b: number) {
    if (this.len === this.buf.length) {
      const next = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.buf[this.len++] = b;
  }
}

interface RawRow {
  fields: string[];
  line: number;
  invalidUtf8: boolean;
  tooBig: boolean;
  unterminated: boolean;
}

/** Cuts bytes into raw rows (header included), a chunk at a time. */
class CsvParser {
  private readonly row = new RowBuffer();
  private bounds: number[] = []; // field end offsets
  private inQuotes = false;
  private quotePending = false; // saw a quote inside quotes: escaped quote or the closing one
  private fieldStartLen = 0; // row.len when the current field began
  private fieldQuoted = false;
  private tooBig = false;
  private line = 1;
  private rowLine = 1;
  private readonly fatal = new TextDecoder("utf-8", { fatal: true });

  constructor(
    private readonly delim: number,
    private readonly maxBytes: number,
  ) {}

  private finishRow(unterminated: boolean): RawRow {
    const { row } = this;
    this.bounds.push(row.len);
    const fields: string[] = [];
    let start = 0;
    let suspicious = false;
    for (const end of this.bounds) {
      const s = row.buf.toString("utf8", start, end);
      if (s.includes("\uFFFD")) suspicious = true;
      fields.push(s);
      start = end;
    }
    let invalidUtf8 = false;
    if (suspicious) {
      try {
        this.fatal.decode(row.buf.subarray(0, row.len));
      } catch {
        invalidUtf8 = true;
      }
    }
    const out: RawRow = { fields, line: this.rowLine, invalidUtf8, tooBig: this.tooBig, unterminated };
    this.bounds = [];
    row.len = 0;
    this.fieldStartLen = 0;
    this.fieldQuoted = false;
    this.tooBig = false;
    return out;
  }

  private add(b: number) {
    if (this.tooBig) return;
    if (this.row.len >= this.maxBytes) this.tooBig = true;
    else this.row.push(b);
  }

  push(chunk: Buffer, from: number): RawRow[] {
    const out: RawRow[] = [];
    const { delim } = this;
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (b === QUOTE) {
            this.add(QUOTE);
            continue;
          }
          this.inQuotes = false; // that quote closed the field; handle b below
        } else {
          if (b === QUOTE) this.quotePending = true;
          else {
            if (b === LF) this.line++;
            this.add(b);
          }
          continue;
        }
      }
      if (b === delim) {
        this.bounds.push(this.row.len);
        this.fieldStartLen = this.row.len;
        this.fieldQuoted = false;
      } else if (b === LF) {
        out.push(this.finishRow(false));
        this.line++;
        this.rowLine = this.line;
      } else if (b === CR) {
        // dropped: \r\n line ends
      } else if (b === QUOTE && this.row.len === this.fieldStartLen && !this.fieldQuoted) {
        this.inQuotes = true;
        this.fieldQuoted = true;
      } else this.add(b);
    }
    return out;
  }

  end(): RawRow[] {
    if (this.inQuotes && this.quotePending) this.inQuotes = false;
    if (this.inQuotes || this.row.len > 0 || this.bounds.length > 0 || this.fieldQuoted) return [this.finishRow(this.inQuotes)];
    return [];
  }
}

/** CSV records, a batch per read chunk (see `readBatches` in readers.ts). */
export async function* readCsvBatches(file: string, opts: ReadOptions = {}): AsyncGenerator<ReadItem[]> {
  const sink = new RecordSink(file, opts);
  const { stats } = sink;
  const limit = opts.limit ?? Infinity;
  if (limit <= 0) return;
  let header: string[] | null = null;
  let yielded = 0;
  let parser: CsvParser | null = null;

  const fill = (rows: RawRow[], batch: ReadItem[]) => () => {
    for (const raw of rows) {
      if (raw.invalidUtf8) stats.invalidUtf8Lines++;
      const blank = raw.fields.length === 1 && raw.fields[0] === "" && !raw.unterminated;
      if (blank) continue;
      if (raw.unterminated) {
        sink.malformed(raw.line, "unterminated quoted field at end of file");
        continue;
      }
      if (raw.tooBig) {
        sink.malformed(raw.line, `row larger than ${sink.maxRecordBytes} bytes`);
        continue;
      }
      if (!header) {
        header = headerNames(raw.fields);
        continue;
      }
      if (raw.fields.length !== header.length) {
        sink.malformed(raw.line, `expected ${header.length} fields (header), got ${raw.fields.length}`);
        continue;
      }
      // fromEntries defines own properties: a column named __proto__ stays a column
      const h = header;
      const record: Record<string, unknown> = Object.fromEntries(h.map((name, k) => [name, raw.fields[k]]));
      stats.rows++;
      batch.push({ record, line: raw.line });
      if (++yielded >= limit) return;
    }
  };

  for await (const chunk of fileChunks(file, stats, opts.signal)) {
    let from = 0;
    if (!parser) {
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) from = 3;
      parser = new CsvParser((opts.delimiter ?? sniffDelimiter(file, chunk.subarray(from))).charCodeAt(0), sink.maxRecordBytes);
    }
    const batch: ReadItem[] = [];
    yield* settle(batch, fill(parser.push(chunk, from), batch));
    if (yielded >= limit) return;
  }
  if (parser) {
    const batch: ReadItem[] = [];
    yield* settle(batch, fill(parser.end(), batch));
  }
}
