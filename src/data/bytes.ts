/** Streaming byte access shared by the readers: file chunks and physical lines. */
import { createReadStream } from "node:fs";
import { CHUNK_BYTES } from "./records.js";
import type { ReadStats } from "./types.js";

const LF = 0x0a;
const CR = 0x0d;

/** The file as a sequence of chunks; counts bytes into `stats`, checks `signal` between chunks. */
export async function* fileChunks(file: string, stats?: ReadStats, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      if (stats) stats.bytes += chunk.length;
      yield chunk;
    }
  } finally {
    stream.destroy();
  }
}

export interface ByteLine {
  /** The line without its terminator (\n or \r\n); null when it exceeded `maxLineBytes`. */
  bytes: Buffer | null;
  /** 1-based physical line number. */
  line: number;
}

/**
 * Splits a byte stream into lines without decoding it, a chunk at a time (synchronously: per-line
 * async iteration would cost more than the parsing). A line longer than `maxLineBytes` is
 * dropped while being read (returned with `bytes: null`), so one giant line cannot exhaust memory.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private overflow = false;
  private line = 1;

  constructor(private readonly maxLineBytes: number) {}

  private finish(tail: Buffer): ByteLine {
    let bytes: Buffer | null = null;
    if (!this.overflow) {
      bytes = this.pendingLen === 0 ? tail : Buffer.concat([...this.pending, tail], this.pendingLen + tail.length);
      if (bytes.length > this.maxLineBytes) bytes = null;
      else if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    }
    this.pending = [];
    this.pendingLen = 0;
    this.overflow = false;
    return { bytes, line: this.line++ };
  }

  /** The lines completed by this chunk. */
  push(chunk: Buffer): ByteLine[] {
    const out: ByteLine[] = [];
    let pos = 0;
    for (;;) {
      const nl = chunk.indexOf(LF, pos);
      if (nl < 0) break;
      out.push(this.finish(chunk.subarray(pos, nl)));
      pos = nl + 1;
    }
    if (pos < chunk.length && !this.overflow) {
      const rest = chunk.subarray(pos);
      this.pendingLen += rest.length;
      if (this.pendingLen > this.maxLineBytes) {
        this.overflow = true;
        this.pending = [];
      } else {
        // copy: a small tail must not keep the whole chunk alive
        this.pending.push(Buffer.from(rest));
      }
    }
    return out;
  }

  /** The last line, when the stream did not end with a newline. */
  end(): ByteLine[] {
    return this.pendingLen > 0 || this.overflow ? [this.finish(Buffer.alloc(0))] : [];
  }
}

/** True when the bytes are only spaces, tabs and line terminators. */
export function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== CR && b !== LF) return false;
  }
  return true;
}

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export function stripBom(buf: Buffer): Buffer {
  return buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
}
