/**
 * A minimal HTTP GET over node:http(s) with what the hub client needs and fetch lacks: a short
 * connect timeout separate from a longer idle timeout, redirects followed by hand (so the token
 * never leaves its origin), and streaming bodies.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";

export interface GetOptions {
  headers?: Record<string, string>;
  /** Sent only to this origin (the token's owner), never to redirect targets elsewhere. */
  authOrigin?: string;
  authorization?: string;
  /** Time allowed to open the TCP/TLS connection (default 5 s). */
  connectTimeoutMs?: number;
  /** Time allowed without any byte received (default 60 s). */
  idleTimeoutMs?: number;
  maxRedirects?: number;
  signal?: AbortSignal;
}

/** The server answered, but not with 2xx. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`HTTP ${status} for ${url}${body ? `: ${body.slice(0, 200)}` : ""}`);
    this.name = "HttpStatusError";
  }
}

/** No answer at all: DNS, refused, reset, timed out. `code` is the system error code when there is one. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = "NetworkError";
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function requestOnce(url: URL, opts: GetOptions): Promise<IncomingMessage> {
  const lib = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (!lib) return Promise.reject(new NetworkError(`unsupported URL scheme '${url.protocol}'`, url.href));
  const headers: Record<string, string> = { "user-agent": "datachef", ...opts.headers };
  if (opts.authorization && opts.authOrigin === url.origin) headers.authorization = opts.authorization;
  return new Promise((resolve, reject) => {
    const req = lib.get(url, { headers, signal: opts.signal });
    const connectTimer = setTimeout(() => {
      req.destroy(new NetworkError(`connection timed out after ${opts.connectTimeoutMs ?? 5000} ms`, url.href, "ETIMEDOUT"));
    }, opts.connectTimeoutMs ?? 5000);
    req.on("socket", (socket) => {
      // Reused or already connected sockets emit no 'connect'.
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once("connect", () => clearTimeout(connectTimer));
    });
    req.setTimeout(opts.idleTimeoutMs ?? 60_000, () => {
      req.destroy(new NetworkError(`no data for ${opts.idleTimeoutMs ?? 60_000} ms`, url.href, "ETIMEDOUT"));
    });
    req.on("response", (res) => {
      clearTimeout(connectTimer);
      resolve(res);
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      if (e instanceof NetworkError || e.name === "AbortError") reject(e);
      else reject(new NetworkError(e.message, url.href, e.code));
    });
  });
}

/** GET with redirects; resolves with a 2xx response whose body the caller consumes. */
export async function httpGet(url: string, opts: GetOptions = {}): Promise<IncomingMessage> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(current, opts);
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status) && res.headers.location) {
      res.resume();
      if (hop >= (opts.maxRedirects ?? 10)) throw new NetworkError(`too many redirects`, url);
      current = new URL(res.headers.location, current);
      continue;
    }
    if (status < 200 || status >= 300) {
      const body = await readBody(res, 4096).catch(() => "");
      throw new HttpStatusError(status, current.href, body.trim());
    }
    return res;
  }
}

/** The body as text, at most `maxBytes` (the rest is discarded). */
export async function readBody(res: IncomingMessage, maxBytes = 16 * 1024 * 1024): Promise<string> {
  const parts: Buffer[] = [];
  let len = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (len < maxBytes) parts.push(chunk.subarray(0, maxBytes - len));
    len += chunk.length;
  }
  return Buffer.concat(parts).toString("utf8");
}
