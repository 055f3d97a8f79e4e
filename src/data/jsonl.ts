/** JSONL (NDJSON): one JSON object per line; blank lines ignored, \r\n and a leading BOM accepted. */
import { fileChunks, isBlank, LineSplitter, stripBom, UTF8_BOM, type ByteLine } from "./bytes.js";
import { decodeUtf8, describeJsonType, errorReason, isRecord, RecordSink, settle, type ReadItem, type ReadOptions } from "./records.js";

/** JSONL records, a batch per read chunk (see `readBatches` in readers.ts). */
export async function* readJsonlBatches(file: string, opts: ReadOptions = {}): AsyncGenerator<ReadItem[]> {
  const sink = new RecordSink(file, opts);
  const { stats } = sink;
  let left = opts.limit ?? Infinity;
  if (left <= 0) return;
  const splitter = new LineSplitter(sink.maxRecordBytes);

  const parseInto = (lines: ByteLine[], batch: ReadItem[]) => {
    for (const { bytes: raw, line } of lines) {
      if (raw === null) {
        sink.malformed(line, `line longer than ${sink.maxRecordBytes} bytes`);
        continue;
      }
      const bytes = line === 1 ? stripBom(raw) : raw;
      if (isBlank(bytes)) continue;
      const { text, invalid } = decodeUtf8(bytes);
      if (invalid) stats.invalidUtf8Lines++;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        sink.malformed(line, errorReason(e));
        continue;
      }
      if (!isRecord(value)) {
        sink.malformed(line, `expected a JSON object, got ${describeJsonType(value)}`);
        continue;
      }
      stats.rows++;
      batch.push({ record: value, line });
      if (--left <= 0) return;
    }
  };

  for await (const chunk of fileChunks(file, stats, opts.signal)) {
    const batch: ReadItem[] = [];
    yield* settle(batch, () => parseInto(splitter.push(chunk), batch));
    if (left <= 0) return;
  }
  const batch: ReadItem[] = [];
  yield* settle(batch, () => parseInto(splitter.end(), batch));
}

/**
 * Non-blank lines of a JSONL file, found by scanning bytes for newlines without decoding or
 * parsing. Malformed lines count too: this is the size of the file, not of its valid records.
 */
export async function countJsonlLines(file: string, signal?: AbortSignal): Promise<number> {
  let count = 0;
  // Bytes seen since the last newline that are not whitespace: decides whether a line counts.
  let lineHasContent = false;
  let first = true;
  for await (const chunk of fileChunks(file, undefined, signal)) {
    let pos = first && chunk.subarray(0, 3).equals(UTF8_BOM) ? 3 : 0;
    first = false;
    for (;;) {
      const nl = chunk.indexOf(0x0a, pos);
      const end = nl < 0 ? chunk.length : nl;
      // isBlank stops at the first non-blank byte, which for real lines is the first one.
      if (!lineHasContent && end > pos && !isBlank(chunk.subarray(pos, end))) lineHasContent = true;
      if (nl < 0) break;
      if (lineHasContent) count++;
      lineHasContent = false;
      pos = nl + 1;
    }
  }
  if (lineHasContent) count++;
  return count;
}
