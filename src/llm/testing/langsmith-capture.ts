/**
 * A loopback stand-in for the LangSmith API that keeps what the tracer posts, for tests:
 *   GET  /info            server info (multipart ingestion on, gzip off)
 *   POST /runs/multipart  multipart form, parts `post.<id>`, `post.<id>.inputs`, `patch.<id>`, ...
 *   POST /runs/batch      {post: [...], patch: [...]}
 *   POST /runs            one run;  PATCH /runs/<id>  one update
 * Posts and patches are merged per run id; `runs()` returns them with name, run_type, metadata
 * (from extra.metadata) and parent id. Point LANGSMITH_ENDPOINT at `url`.
 */
import http from "node:http";
import { gunzipSync } from "node:zlib";
import { LoopbackServer, readBody } from "../../testing/loopback-server.js";

export interface CapturedRun {
  id: string;
  name?: string;
  run_type?: string;
  parent_run_id?: string;
  trace_id?: string;
  metadata: Record<string, unknown>;
  tags?: string[];
  inputs?: unknown;
  outputs?: unknown;
  error?: unknown;
  start_time?: unknown;
  end_time?: unknown;
}

interface Part {
  name: string;
  body: Buffer;
}

/** Splits a multipart/form-data body into its named parts. */
export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!m) return [];
  const boundary = Buffer.from(`--${m[1] ?? m[2]!.trim()}`);
  const parts: Part[] = [];
  let pos = body.indexOf(boundary);
  while (pos >= 0) {
    const start = pos + boundary.length;
    if (body.slice(start, start + 2).toString() === "--") break;
    const next = body.indexOf(boundary, start);
    if (next < 0) break;
    // part = CRLF headers CRLF CRLF content CRLF
    const chunk = body.slice(start + 2, next - 2);
    const sep = chunk.indexOf("\r\n\r\n");
    if (sep >= 0) {
      const headers = chunk.slice(0, sep).toString("utf8");
      const name = /name="([^"]+)"/i.exec(headers)?.[1];
      if (name) parts.push({ name, body: chunk.slice(sep + 4) });
    }
    pos = next;
  }
  return parts;
}

export class LangSmithCaptureServer extends LoopbackServer {
  private readonly byId = new Map<string, CapturedRun>();
  /** Every request, for debugging: method and path. */
  readonly requests: { method: string; path: string }[] = [];


  runs(): CapturedRun[] {
    return [...this.byId.values()];
  }

  runNames(): string[] {
    return [...new Set(this.runs().map((r) => r.name).filter((n): n is string => !!n))];
  }

  private merge(id: string, fields: Record<string, unknown>): void {
    const cur = this.byId.get(id) ?? { id, metadata: {} };
    const extra = fields.extra as { metadata?: Record<string, unknown> } | undefined;
    const next: CapturedRun = { ...cur };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined && k !== "extra" && k !== "metadata") (next as unknown as Record<string, unknown>)[k] = v;
    next.metadata = { ...cur.metadata, ...(extra?.metadata ?? {}), ...((fields.metadata as Record<string, unknown>) ?? {}) };
    this.byId.set(id, next);
  }

  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let body = await readBody(req);
    if (/gzip/i.test(String(req.headers["content-encoding"] ?? ""))) body = gunzipSync(body);
    const url = (req.url ?? "/").split("?")[0]!;
    const method = req.method ?? "GET";
    this.requests.push({ method, path: url });
    const ok = (data: unknown = {}) => {
      const s = JSON.stringify(data);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(s) });
      res.end(s);
    };
    try {
      if (method === "GET" && url.endsWith("/info")) {
        return ok({ version: "0.10.0", license_expiration_time: null, batch_ingest_config: { use_multipart_endpoint: true, size_limit: 100, size_limit_bytes: 20_971_520, scale_up_qsize_trigger: 1000, scale_up_nthreads_limit: 16, scale_down_nempty_trigger: 4 }, instance_flags: {} });
      }
      if (method === "POST" && url.endsWith("/runs/multipart")) {
        for (const part of parseMultipart(body, String(req.headers["content-type"] ?? ""))) {
          const [, id, field] = /^(?:post|patch)\.([^.]+)(?:\.(\w+))?$/.exec(part.name) ?? [];
          if (!id) continue;
          const value = JSON.parse(part.body.toString("utf8")) as unknown;
          this.merge(id, field ? { [field]: value } : (value as Record<string, unknown>));
        }
        return ok();
      }
      if (method === "POST" && url.endsWith("/runs/batch")) {
        const data = JSON.parse(body.toString("utf8") || "{}") as { post?: Record<string, unknown>[]; patch?: Record<string, unknown>[] };
        for (const r of [...(data.post ?? []), ...(data.patch ?? [])]) if (typeof r.id === "string") this.merge(r.id, r);
        return ok();
      }
      if (method === "POST" && url.endsWith("/runs")) {
        const r = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
        if (typeof r.id === "string") this.merge(r.id, r);
        return ok();
      }
      const patch = /\/runs\/([^/]+)$/.exec(url);
      if (method === "PATCH" && patch) {
        this.merge(patch[1]!, JSON.parse(body.toString("utf8")) as Record<string, unknown>);
        return ok();
      }
      // sessions, datasets, feedback...: accept quietly, the tracer only needs a 2xx
      return ok();
    } catch (e) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: (e as Error).message }));
    }
  }
}

export async function startLangSmithCapture(): Promise<LangSmithCaptureServer> {
  const s = new LangSmithCaptureServer();
  await s.start();
  return s;
}
