/**
 * A JSON file read element by element, never whole.
 *
 * A small byte-level scanner tracks strings, escapes and bracket depth to cut the top-level
 * value into members; each member is then parsed with JSON.parse. Structural characters are
 * ASCII and UTF-8 continuation bytes never are, so scanning bytes is safe.
 *
 * Top-level shapes:
 * - an array: one record per element (elements that are not objects are malformed);
 * - an object whose first two members' values are objects (a dict of records keyed by id,
 *   e.g. `{"123": {...}, "456": {...}}`): one record per member, the member's object with its
 *   key added as `_key` (a `_key` field of its own wins); later members that are not objects
 *   are malformed;
 * - any other object (e.g. `{"version": 2, "data": [...]}`): the whole object is one record.
 *   Its members are collected as they stream by, so it is bounded by `maxRecordBytes`;
 *   unwrap a big `data` array first (e.g. `jq -c '.data[]'`) to get one record per element;
 * - a scalar: malformed.
 * The reader is lenient about commas between members; JSON.parse still checks each member.
 */
import { fileChunks } from "./bytes.js";
import { decodeUtf8, describeJsonType, errorReason, isRecord, RecordSink, settle, type ReadItem, type ReadOptions } from "./records.js";

/** Field that carries a member's key when a top-level dict of objects becomes rows. */
export const DICT_KEY_FIELD = "_key";

const enum B {
  LF = 0x0a,
  CR = 0x0d,
  TAB = 0x09,
  SPACE = 0x20,
  QUOTE = 0x22,
  COMMA = 0x2c,
  COLON = 0x3a,
  LBRACKET = 0x5b,
  BACKSLASH = 0x5c,
  RBRACKET = 0x5d,
  LBRACE = 0x7b,
  RBRACE = 0x7d,
}

const enum State {
  Pre,
  ArrayNext,
  ObjectKey,
  ObjectColon,
  ObjectValue,
  Done,
  Stopped,
}

type ScanEvent =
  | { kind: "mode"; mode: "array" | "object" }
  /** A complete member; `bytes` is null when it exceeded the size limit. */
  | { kind: "value"; bytes: Buffer | null; line: number; key?: string }
  | { kind: "error"; line: number; reason: string };

const isWs = (b: number) => b === B.SPACE || b === B.LF || b === B.CR || b === B.TAB;

class TopLevelScanner {
  private line = 1;
  private state = State.Pre;
  private capturing: "key" | "value" | null = null;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private parts: Buffer[] = [];
  private partsLen = 0;
  private tooBig = false;
  private startLine = 0;
  private key: string | undefined;
  private first = true;
  private mode: "array" | "object" | null = null;

  constructor(private readonly maxBytes: number) {}

  feed(chunk: Buffer, out: ScanEvent[]): void {
    let i = 0;
    if (this.first) {
      this.first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    let segStart = this.capturing ? i : -1;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.capturing) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (b === B.BACKSLASH) this.escaped = true;
          else if (b === B.QUOTE) {
            this.inString = false;
            if (this.depth === 0) this.endCapture(chunk, segStart, i + 1, out);
          } else if (b === B.LF) this.line++;
          continue;
        }
        if (this.scalar) {
          if (isWs(b) || b === B.COMMA || b === B.RBRACKET || b === B.RBRACE) {
            this.endCapture(chunk, segStart, i, out);
            i--; // the terminator belongs to the enclosing structure
          }
          continue;
        }
        if (b === B.QUOTE) this.inString = true;
        else if (b === B.LBRACE || b === B.LBRACKET) this.depth++;
        else if (b === B.RBRACE || b === B.RBRACKET) {
          if (--this.depth === 0) this.endCapture(chunk, segStart, i + 1, out);
        } else if (b === B.LF) this.line++;
        continue;
      }
      if (b === B.LF) {
        this.line++;
        continue;
      }
      if (isWs(b)) continue;
      switch (this.state) {
        case State.Pre:
          if (b === B.LBRACKET) this.setMode("array", State.ArrayNext, out);
          else if (b === B.LBRACE) this.setMode("object", State.ObjectKey, out);
          else this.stop(out, "the top-level JSON value is neither an array nor an object");
          break;
        case State.ArrayNext:
          if (b === B.RBRACKET) this.state = State.Done;
          else if (b !== B.COMMA) {
            this.startCapture("value", b);
            segStart = i;
          }
          break;
        case State.ObjectKey:
          if (b === B.RBRACE) this.state = State.Done;
          else if (b === B.QUOTE) {
            this.startCapture("key", b);
            segStart = i;
          } else if (b !== B.COMMA) this.stop(out, `expected a member name, got '${String.fromCharCode(b)}'`);
          break;
        case State.ObjectColon:
          if (b === B.COLON) this.state = State.ObjectValue;
          else this.stop(out, `expected ':' after a member name, got '${String.fromCharCode(b)}'`);
          break;
        case State.ObjectValue:
          this.startCapture("value", b);
          segStart = i;
          break;
        case State.Done:
          this.stop(out, "unexpected data after the top-level value");
          break;
        case State.Stopped:
          return;
      }
      if ((this.state as State) === State.Stopped) return; // stop() may have run above
    }
    if (this.capturing) this.append(chunk.subarray(segStart));
  }

  /** Call once after the last chunk. */
  end(out: ScanEvent[]): void {
    if (this.capturing && this.scalar) this.endCapture(Buffer.alloc(0), 0, 0, out);
    if (this.capturing) {
      out.push({ kind: "error", line: this.startLine, reason: "unexpected end of file inside a value" });
    } else if (this.state !== State.Done && this.state !== State.Pre && this.state !== State.Stopped) {
      out.push({ kind: "error", line: this.line, reason: `unexpected end of file: the top-level ${this.mode} is not closed` });
    }
  }

  private setMode(mode: "array" | "object", next: State, out: ScanEvent[]) {
    this.mode = mode;
    this.state = next;
    out.push({ kind: "mode", mode });
  }

  private stop(out: ScanEvent[], reason: string) {
    out.push({ kind: "error", line: this.line, reason });
    this.state = State.Stopped;
  }

  private startCapture(kind: "key" | "value", b: number) {
    this.capturing = kind;
    this.startLine = this.line;
    this.parts = [];
    this.partsLen = 0;
    this.tooBig = false;
    this.depth = b === B.LBRACE || b === B.LBRACKET ? 1 : 0;
    this.inString = b === B.QUOTE;
    this.escaped = false;
    this.scalar = !this.inString && this.depth === 0;
  }

  private append(seg: Buffer) {
    if (this.tooBig || seg.length === 0) return;
    this.partsLen += seg.length;
    if (this.partsLen > this.maxBytes) {
      this.tooBig = true;
      this.parts = [];
    } else this.parts.push(Buffer.from(seg)); // copy: keeps the chunk collectable
  }

  private endCapture(chunk: Buffer, from: number, to: number, out: ScanEvent[]) {
    const seg = chunk.subarray(from, to);
    let bytes: Buffer | null = null;
    if (!this.tooBig && this.partsLen + seg.length <= this.maxBytes) {
      bytes = this.parts.length ? Buffer.concat([...this.parts, seg]) : seg;
    }
    const kind = this.capturing;
    this.capturing = null;
    this.scalar = false;
    this.parts = [];
    this.partsLen = 0;
    if (kind === "key") {
      let key = "";
      try {
        key = bytes ? String(JSON.parse(bytes.toString("utf8"))) : "";
      } catch {
        key = bytes ? bytes.toString("utf8").slice(1, -1) : "";
      }
      this.key = key;
      this.state = State.ObjectColon;
      return;
    }
    out.push({ kind: "value", bytes, line: this.startLine, key: this.mode === "object" ? this.key : undefined });
    this.state = this.mode === "array" ? State.ArrayNext : State.ObjectKey;
  }
}

/** JSON records, a batch per read chunk (see `readBatches` in readers.ts). */
export async function* readJsonBatches(file: string, opts: ReadOptions = {}): AsyncGenerator<ReadItem[]> {
  const sink = new RecordSink(file, opts);
  const { stats } = sink;
  const scanner = new TopLevelScanner(sink.maxRecordBytes);
  const limit = opts.limit ?? Infinity;
  if (limit <= 0) return;
  let yielded = 0;
  let mode: "array" | "object" | null = null;
  // Object mode: decided by the first member (dict of records, or one record).
  let dictOfRecords: boolean | null = null;
  let single: Record<string, unknown> | null = null;
  let singleBytes = 0;
  let singleBroken: string | null = null;
  let singleLine = 0;

  const parse = (bytes: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } => {
    const { text, invalid } = decodeUtf8(bytes);
    if (invalid) stats.invalidUtf8Lines++;
    try {
      return { ok: true, value: JSON.parse(text) };
    } catch (e) {
      return { ok: false, reason: errorReason(e) };
    }
  };

  function* handle(events: ScanEvent[]): Generator<ReadItem> {
    for (const ev of events) {
      if (ev.kind === "mode") {
        mode = ev.mode;
        continue;
      }
      if (ev.kind === "error") {
        if (single && !singleBroken) singleBroken = ev.reason;
        else sink.malformed(ev.line, ev.reason);
        continue;
      }
      if (mode === "array" || dictOfRecords === true) {
        if (!ev.bytes) {
          sink.malformed(ev.line, `record larger than ${sink.maxRecordBytes} bytes`);
          continue;
        }
        const r = parse(ev.bytes);
        if (!r.ok) {
          sink.malformed(ev.line, r.reason);
          continue;
        }
        if (!isRecord(r.value)) {
          sink.malformed(ev.line, `expected a JSON object, got ${describeJsonType(r.value)}`);
          continue;
        }
        const record = mode === "array" ? r.value : { [DICT_KEY_FIELD]: ev.key, ...r.value };
        stats.rows++;
        yield { record, line: ev.line };
        continue;
      }
      // object mode: the first two members decide
      const r = ev.bytes ? parse(ev.bytes) : null;
      const isObj = r !== null && r.ok && isRecord(r.value);
      if (dictOfRecords === null) {
        if (!pendingFirst && isObj) {
          pendingFirst = { key: ev.key, value: (r as { value: Record<string, unknown> }).value, line: ev.line, bytes: ev.bytes!.length };
          continue;
        }
        if (pendingFirst && isObj) {
          dictOfRecords = true;
          stats.rows += 2;
          yield { record: { [DICT_KEY_FIELD]: pendingFirst.key, ...pendingFirst.value }, line: pendingFirst.line };
          yield { record: { [DICT_KEY_FIELD]: ev.key, ...(r as { value: Record<string, unknown> }).value }, line: ev.line };
          pendingFirst = null;
          continue;
        }
        dictOfRecords = false;
        startSingle();
      }
      addToSingle(ev.key, r, ev.bytes?.length ?? Infinity, ev.line);
    }
  }

  // One-record mode: members are collected into `single` (size-capped).
  let pendingFirst: { key: string | undefined; value: Record<string, unknown>; line: number; bytes: number } | null = null;
  const startSingle = () => {
    single = {};
    if (pendingFirst) {
      addToSingle(pendingFirst.key, { ok: true, value: pendingFirst.value }, pendingFirst.bytes, pendingFirst.line);
      pendingFirst = null;
    }
  };
  const addToSingle = (key: string | undefined, r: ReturnType<typeof parse> | null, bytes: number, line: number) => {
    if (singleLine === 0) singleLine = line; // the record is reported at its first member
    singleBytes += bytes;
    if (singleBroken) return;
    if (singleBytes > sink.maxRecordBytes) singleBroken = `record larger than ${sink.maxRecordBytes} bytes`;
    else if (r && !r.ok) singleBroken = r.reason;
    else if (r && r.ok) Object.defineProperty(single!, key ?? "", { value: r.value, enumerable: true, writable: true, configurable: true });
  };

  const fill = (events: ScanEvent[], batch: ReadItem[]) => () => {
    for (const item of handle(events)) {
      batch.push(item);
      if (++yielded >= limit) return;
    }
  };
  for await (const chunk of fileChunks(file, stats, opts.signal)) {
    const events: ScanEvent[] = [];
    scanner.feed(chunk, events);
    const batch: ReadItem[] = [];
    yield* settle(batch, fill(events, batch));
    if (yielded >= limit) return;
  }
  const events: ScanEvent[] = [];
  scanner.end(events);
  const batch: ReadItem[] = [];
  yield* settle(batch, fill(events, batch));
  if (yielded >= limit) return;
  if (pendingFirst) startSingle(); // an object with one object member is one record
  if (single) {
    if (singleBroken) sink.malformed(singleLine, singleBroken);
    else {
      stats.rows++;
      yield [{ record: single, line: singleLine }];
    }
  }
}
