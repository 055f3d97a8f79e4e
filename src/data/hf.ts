/**
 * hf:// references: Hugging Face hub datasets, downloaded once into a local cache and then
 * read like any local file.
 *
 * Forms:
 * - `hf://datasets/<owner>/<name>` with the spec's `config` and `split` (default split
 *   "train"): the hub's Parquet conversion, listed by `GET /api/datasets/<repo>/parquet/<config>/<split>`
 *   (or `/api/datasets/<repo>/parquet` when no config is given: "default" or the only config
 *   is used). Every listed shard is downloaded; the listing URLs redirect to the files.
 * - `hf://datasets/<owner>/<name>[@<revision>]/<path in repo>`: that one file, from
 *   `<endpoint>/datasets/<repo>/resolve/<revision>/<path>` (revision "main" by default).
 *
 * Environment: `HF_ENDPOINT` (default https://huggingface.co, e.g. a mirror), `HF_TOKEN`
 * (sent as a Bearer token to the endpoint's origin only), `DATACHEF_CACHE` (cache root; files go
 * to `<DATACHEF_CACHE>/hf`, else `~/.cache/datachef/hf`).
 *
 * Cache: files are written to a temporary name and renamed, and a listing's `manifest.json` is
 * written last, so an interrupted download is never mistaken for a complete one. A cached
 * reference is used without any network access (offline runs work); `refresh` re-downloads.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { httpGet, HttpStatusError, NetworkError, readBody, type GetOptions } from "./http.js";

export interface HfRef {
  /** `<owner>/<name>` */
  repo: string;
  revision?: string;
  /** A file inside the repository; absent for the Parquet conversion of a config/split. */
  filePath?: string;
}

export interface HfOptions {
  config?: string;
  split?: string;
  endpoint?: string;
  token?: string;
  cacheDir?: string;
  /** Download again even when the cache holds the reference. */
  refresh?: boolean;
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface HfFiles {
  ref: string;
  /** Local paths, in shard order. */
  files: string[];
  /** True when everything came from the cache without network access. */
  cached: boolean;
}

/** The hub could not be reached (offline, DNS, refused, timed out, 5xx). */
export class HfUnreachableError extends Error {
  constructor(
    readonly ref: string,
    readonly reason: string,
  ) {
    super(`${ref} not reachable (${reason}): set HF_ENDPOINT or download the file and use a local path`);
    this.name = "HfUnreachableError";
  }
}

/** The hub answered but refused: not found, gated, bad config/split. */
export class HfError extends Error {
  constructor(
    readonly ref: string,
    message: string,
  ) {
    super(`${ref}: ${message}`);
    this.name = "HfError";
  }
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parses `hf://datasets/<owner>/<name>[@<revision>][/<path>]`. */
export function parseHfRef(ref: string): HfRef {
  const m = /^hf:\/\/datasets\/([^/]+)\/([^/@]+)(?:@([^/]+))?(?:\/(.+))?$/.exec(ref);
  if (!m) throw new HfError(ref, "expected hf://datasets/<owner>/<name>[@<revision>][/<path in repo>]");
  const [, owner, name, revision, filePath] = m;
  if (!SEGMENT.test(owner!) || !SEGMENT.test(name!)) throw new HfError(ref, `'${owner}/${name}' is not a dataset repository id`);
  const out: HfRef = { repo: `${owner}/${name}` };
  if (revision) out.revision = decodeURIComponent(revision);
  if (filePath) {
    const clean = filePath.replace(/\/+$/, "");
    if (clean.split("/").some((s) => s === ".." || s === "." || s === "")) throw new HfError(ref, `invalid file path '${filePath}'`);
    out.filePath = clean;
  }
  return out;
}

export function defaultHfCacheDir(): string {
  const root = process.env.DATACHEF_CACHE;
  return root ? path.join(root, "hf") : path.join(os.homedir(), ".cache", "datachef", "hf");
}

function endpointOf(opts: HfOptions): string {
  return (opts.endpoint ?? process.env.HF_ENDPOINT ?? "https://huggingface.co").replace(/\/+$/, "");
}

/** A path segment safe for the cache folder (config and split names come from users and servers). */
function safeSegment(s: string): string {
  const out = s.replace(/[^A-Za-z0-9._=-]/g, "_");
  return out === "." || out === ".." || out === "" ? `_${out}` : out;
}

interface Ctx {
  ref: string;
  endpoint: string;
  get: GetOptions;
}

function context(ref: string, opts: HfOptions): Ctx {
  const endpoint = endpointOf(opts);
  const token = opts.token ?? process.env.HF_TOKEN;
  return {
    ref,
    endpoint,
    get: {
      authOrigin: new URL(endpoint).origin,
      authorization: token ? `Bearer ${token}` : undefined,
      connectTimeoutMs: opts.connectTimeoutMs,
      idleTimeoutMs: opts.idleTimeoutMs,
      signal: opts.signal,
    },
  };
}

/** Network and HTTP failures as the two hub errors, with what to do next. */
function hubError(ctx: Ctx, e: unknown, what: string): Error {
  if (e instanceof HttpStatusError) {
    if (e.status >= 500) return new HfUnreachableError(ctx.ref, `HTTP ${e.status} from ${ctx.endpoint}`);
    if (e.status === 401 || e.status === 403)
      return new HfError(ctx.ref, `${what}: HTTP ${e.status} (gated or private dataset? set HF_TOKEN to a token with access)`);
    if (e.status === 404) return new HfError(ctx.ref, `${what}: not found (HTTP 404 for ${e.url})`);
    return new HfError(ctx.ref, `${what}: HTTP ${e.status} for ${e.url}`);
  }
  if (e instanceof NetworkError) return new HfUnreachableError(ctx.ref, `${e.code ? e.code + ": " : ""}${e.message} at ${ctx.endpoint}`);
  return e instanceof Error ? e : new Error(String(e));
}

async function getJson(ctx: Ctx, url: string, what: string): Promise<unknown> {
  try {
    const res = await httpGet(url, { ...ctx.get, headers: { accept: "application/json" } });
    return JSON.parse(await readBody(res));
  } catch (e) {
    if (e instanceof SyntaxError) throw new HfError(ctx.ref, `${what}: the hub's answer is not JSON`);
    throw hubError(ctx, e, what);
  }
}

/** Downloads `url` to `dest` atomically (temporary file, then rename). */
async function download(ctx: Ctx, url: string, dest: string): Promise<void> {
  mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.part-${process.pid}-${Date.now()}`;
  try {
    const res = await httpGet(url, ctx.get);
    const expected = Number(res.headers["content-length"] ?? NaN);
    await pipeline(res, createWriteStream(tmp), { signal: ctx.get.signal });
    const got = statSync(tmp).size;
    if (Number.isFinite(expected) && got !== expected) throw new NetworkError(`download truncated (${got} of ${expected} bytes)`, url);
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw hubError(ctx, e, `downloading ${url}`);
  }
}

function encodePath(p: string): string {
  return p.split("/").map(encodeURIComponent).join("/");
}

/** The Parquet shard URLs of one config/split. */
async function listParquet(ctx: Ctx, repo: string, config: string | undefined, split: string): Promise<{ config: string; urls: string[] }> {
  const base = `${ctx.endpoint}/api/datasets/${repo}/parquet`;
  if (config) {
    const urls = await getJson(ctx, `${base}/${encodeURIComponent(config)}/${encodeURIComponent(split)}`, `listing config '${config}' split '${split}'`);
    if (!Array.isArray(urls) || urls.some((u) => typeof u !== "string")) throw new HfError(ctx.ref, "unexpected Parquet listing (expected a list of URLs)");
    if (urls.length === 0) throw new HfError(ctx.ref, `config '${config}' split '${split}' has no Parquet files`);
    return { config, urls: urls as string[] };
  }
  const all = (await getJson(ctx, base, "listing Parquet files")) as Record<string, Record<string, string[]>>;
  if (!all || typeof all !== "object" || Array.isArray(all)) throw new HfError(ctx.ref, "unexpected Parquet listing (expected {config: {split: [urls]}})");
  const configs = Object.keys(all);
  if (configs.length === 0) throw new HfError(ctx.ref, "the hub lists no Parquet conversion for this dataset");
  const chosen = configs.includes("default") ? "default" : configs.length === 1 ? configs[0]! : null;
  if (!chosen) throw new HfError(ctx.ref, `several configs (${configs.join(", ")}): set 'config' in the task spec`);
  const urls = all[chosen]?.[split];
  if (!Array.isArray(urls) || urls.length === 0)
    throw new HfError(ctx.ref, `config '${chosen}' has no split '${split}' (splits: ${Object.keys(all[chosen] ?? {}).join(", ") || "none"})`);
  return { config: chosen, urls };
}

/** Local name of a listed shard: its index keeps the order, its base name keeps the extension. */
function shardName(url: string, index: number): string {
  const base = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  const ext = path.extname(base) || ".parquet";
  return `${String(index).padStart(5, "0")}${ext}`;
}

/**
 * Resolves an hf:// reference to local files, downloading what the cache lacks. Throws
 * `HfUnreachableError` when the hub cannot be reached and nothing is cached, `HfError` when it
 * refuses.
 */
export async function resolveHfFiles(ref: string, opts: HfOptions = {}): Promise<HfFiles> {
  const parsed = parseHfRef(ref);
  const ctx = context(ref, opts);
  const cacheRoot = path.resolve(opts.cacheDir ?? defaultHfCacheDir());
  const repoDir = path.join(cacheRoot, "datasets", ...parsed.repo.split("/").map(safeSegment));

  if (parsed.filePath) {
    const revision = parsed.revision ?? "main";
    const dest = path.join(repoDir, "resolve", safeSegment(revision), ...parsed.filePath.split("/").map(safeSegment));
    if (existsSync(dest) && !opts.refresh) return { ref, files: [dest], cached: true };
    const url = `${ctx.endpoint}/datasets/${parsed.repo}/resolve/${encodeURIComponent(revision)}/${encodePath(parsed.filePath)}`;
    await download(ctx, url, dest);
    return { ref, files: [dest], cached: false };
  }

  const split = opts.split ?? "train";
  // Without a config, the listing decides; the manifest remembers which config was used.
  const listDir = path.join(repoDir, "parquet", safeSegment(opts.config ?? "(auto)"), safeSegment(split));
  const manifestPath = path.join(listDir, "manifest.json");
  if (existsSync(manifestPath) && !opts.refresh) {
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { files: string[] };
    const files = manifest.files.map((f) => path.join(listDir, f));
    if (files.every((f) => existsSync(f))) return { ref, files, cached: true };
  }
  const listed = await listParquet(ctx, parsed.repo, opts.config, split);
  const config = listed.config;
  const urls = listed.urls.map((u) => new URL(u, `${ctx.endpoint}/`).href);
  const names = urls.map(shardName);
  for (const [i, url] of urls.entries()) await download(ctx, url, path.join(listDir, names[i]!));
  const tmp = `${manifestPath}.part-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ ref, config, split, urls, files: names, downloadedAt: new Date().toISOString() }, null, 1));
  renameSync(tmp, manifestPath);
  return { ref, files: names.map((n) => path.join(listDir, n)), cached: false };
}
