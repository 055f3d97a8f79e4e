/**
 * hf:// against a loopback stand-in for the hub: a "hub" server answers the API and redirects
 * downloads (302) to a "cdn" server on another port, like huggingface.co does with its CDN.
 * Nothing here leaves 127.0.0.1.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { parseTaskSpec } from "../task/spec.js";
import { HfError, HfUnreachableError, parseHfRef, resolveHfFiles } from "./hf.js";
import { profileSource } from "./profile.js";
import { readResolved, resolveSource } from "./source.js";
import { stageSources } from "./stage.js";

interface Hit {
  server: "hub" | "cdn";
  url: string;
  auth?: string;
}

const hits: Hit[] = [];
let hub: http.Server;
let cdn: http.Server;
let hubUrl = "";
let cdnUrl = "";
let dir: string;

const shard = (rows: { q: string; n: bigint }[]) =>
  Buffer.from(parquetWriteBuffer({ columnData: [{ name: "q", data: rows.map((r) => r.q) }, { name: "n", data: rows.map((r) => r.n) }] }));
const BLOBS: Record<string, Buffer> = {
  "/blob/train0": shard([{ q: "two plus two", n: 1n }, { q: "three plus three", n: 2n }]),
  "/blob/train1": shard([{ q: "four plus four", n: 3n }]),
  "/blob/test0": shard([{ q: "test row", n: 9n }]),
  "/blob/jsonl": Buffer.from('{"question":"q1","answer":"a1"}\n{"question":"q2","answer":"a2"}\n'),
};

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function hubHandler(req: IncomingMessage, res: ServerResponse) {
  const url = req.url ?? "";
  hits.push({ server: "hub", url, auth: req.headers.authorization });
  const api = `${hubUrl}/api/datasets/acme/toy/parquet`;
  const listing = {
    default: { train: [`${api}/default/train/0.parquet`, `${api}/default/train/1.parquet`], test: [`${api}/default/test/0.parquet`] },
  };
  if (url === "/api/datasets/acme/toy/parquet") return json(res, 200, listing);
  if (url === "/api/datasets/acme/toy/parquet/default/test") return json(res, 200, listing.default.test);
  if (url === "/api/datasets/acme/toy/parquet/default/train") return json(res, 200, listing.default.train);
  const m = /^\/api\/datasets\/acme\/toy\/parquet\/default\/(train|test)\/(\d)\.parquet$/.exec(url);
  if (m) {
    // the hub's shard URL redirects to the resolve URL on the conversion branch...
    res.writeHead(302, { location: `/datasets/acme/toy/resolve/refs%2Fconvert%2Fparquet/default/${m[1]}/000${m[2]}.parquet` });
    return res.end();
  }
  const r = /^\/datasets\/acme\/toy\/resolve\/refs%2Fconvert%2Fparquet\/default\/(train|test)\/000(\d)\.parquet$/.exec(url);
  if (r) {
    // ...which redirects to the CDN, another origin
    res.writeHead(302, { location: `${cdnUrl}/blob/${r[1]}${r[2]}` });
    return res.end();
  }
  if (url === "/datasets/acme/toy/resolve/main/data/train.jsonl") {
    res.writeHead(302, { location: `${cdnUrl}/blob/jsonl` });
    return res.end();
  }
  if (url === "/api/datasets/acme/multi/parquet") return json(res, 200, { main: { train: [] }, socratic: { train: [] } });
  if (url === "/api/datasets/acme/gated/parquet") return json(res, 401, { error: "Access to dataset acme/gated is restricted" });
  if (url === "/api/datasets/acme/broken/parquet") return json(res, 503, { error: "overloaded" });
  if (url === "/api/datasets/acme/slow/parquet") return; // accepts, never answers
  json(res, 404, { error: "Repository not found" });
}

function cdnHandler(req: IncomingMessage, res: ServerResponse) {
  hits.push({ server: "cdn", url: req.url ?? "", auth: req.headers.authorization });
  const blob = BLOBS[req.url ?? ""];
  if (!blob) return json(res, 404, {});
  res.writeHead(200, { "content-length": blob.length, "content-type": "application/octet-stream" });
  res.end(blob);
}

async function listen(handler: http.RequestListener): Promise<[http.Server, string]> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

async function closedPortUrl(): Promise<string> {
  const [s, url] = await listen(() => {});
  await new Promise((r) => s.close(r));
  return url;
}

beforeAll(async () => {
  [hub, hubUrl] = await listen(hubHandler);
  [cdn, cdnUrl] = await listen(cdnHandler);
});
afterAll(async () => {
  for (const s of [hub, cdn]) s.closeAllConnections();
  await Promise.all([hub, cdn].map((s) => new Promise((r) => s.close(r))));
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "datachef-hf-"));
  hits.length = 0;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const opts = () => ({ endpoint: hubUrl, token: "secret-token", cacheDir: path.join(dir, "hf") });

describe("parseHfRef", () => {
  test("dataset, revision and file path forms", () => {
    expect(parseHfRef("hf://datasets/openai/gsm8k")).toEqual({ repo: "openai/gsm8k" });
    expect(parseHfRef("hf://datasets/openai/gsm8k@v1.0/main/train-00000.parquet")).toEqual({ repo: "openai/gsm8k", revision: "v1.0", filePath: "main/train-00000.parquet" });
    expect(() => parseHfRef("hf://models/x/y")).toThrow(HfError);
    expect(() => parseHfRef("hf://datasets/x/y/../../etc/passwd")).toThrow(/invalid file path/);
  });
});

describe("resolveHfFiles against a loopback hub", () => {
  test("Parquet listing without config: 'default', split 'train', all shards via redirects", async () => {
    const got = await resolveHfFiles("hf://datasets/acme/toy", opts());
    expect(got.cached).toBe(false);
    expect(got.files.map((f) => path.basename(f))).toEqual(["00000.parquet", "00001.parquet"]);
    const rows: unknown[] = [];
    for await (const { record } of readResolved({ ref: got.ref, files: got.files, format: "parquet" })) rows.push(record);
    expect(rows).toEqual([
      { q: "two plus two", n: 1 },
      { q: "three plus three", n: 2 },
      { q: "four plus four", n: 3 },
    ]);
    // the token went to the hub, never to the CDN
    expect(hits.filter((h) => h.server === "hub").every((h) => h.auth === "Bearer secret-token")).toBe(true);
    expect(hits.filter((h) => h.server === "cdn").length).toBe(2);
    expect(hits.filter((h) => h.server === "cdn").every((h) => h.auth === undefined)).toBe(true);
    expect(readdirSync(path.dirname(got.files[0]!)).filter((f) => f.includes(".part-"))).toEqual([]);
  });

  test("config and split ask /parquet/<config>/<split>", async () => {
    const got = await resolveHfFiles("hf://datasets/acme/toy", { ...opts(), config: "default", split: "test" });
    expect(got.files.length).toBe(1);
    expect(hits[0]!.url).toBe("/api/datasets/acme/toy/parquet/default/test");
  });

  test("a cached reference needs no network, even with the hub gone", async () => {
    await resolveHfFiles("hf://datasets/acme/toy", opts());
    const before = hits.length;
    const again = await resolveHfFiles("hf://datasets/acme/toy", { ...opts(), endpoint: await closedPortUrl() });
    expect(again.cached).toBe(true);
    expect(again.files.length).toBe(2);
    expect(hits.length).toBe(before);
  });

  test("a file path in the repository resolves through /resolve/main", async () => {
    const src = await resolveSource({ path: "hf://datasets/acme/toy/data/train.jsonl" }, opts());
    expect(src.format).toBe("jsonl");
    expect(hits[0]!.url).toBe("/datasets/acme/toy/resolve/main/data/train.jsonl");
    const rows: unknown[] = [];
    for await (const { record } of readResolved(src)) rows.push(record);
    expect(rows).toEqual([
      { question: "q1", answer: "a1" },
      { question: "q2", answer: "a2" },
    ]);
  });

  test("unreachable hub: HfUnreachableError that says what to do", async () => {
    const e = await resolveHfFiles("hf://datasets/acme/toy", { ...opts(), endpoint: await closedPortUrl() }).catch((x) => x);
    expect(e).toBeInstanceOf(HfUnreachableError);
    expect(e.message).toMatch(/^hf:\/\/datasets\/acme\/toy not reachable \(ECONNREFUSED.*\): set HF_ENDPOINT or download the file and use a local path$/);
    const e5 = await resolveHfFiles("hf://datasets/acme/broken", opts()).catch((x) => x);
    expect(e5).toBeInstanceOf(HfUnreachableError);
    expect(e5.message).toMatch(/HTTP 503/);
    const started = Date.now();
    const slow = await resolveHfFiles("hf://datasets/acme/slow", { ...opts(), idleTimeoutMs: 300 }).catch((x) => x);
    expect(slow).toBeInstanceOf(HfUnreachableError);
    expect(slow.message).toMatch(/ETIMEDOUT: no data for 300 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test("refusals: not found, gated, ambiguous config, missing split", async () => {
    await expect(resolveHfFiles("hf://datasets/acme/nothing", opts())).rejects.toThrow(/not found \(HTTP 404/);
    await expect(resolveHfFiles("hf://datasets/acme/gated", opts())).rejects.toThrow(/HTTP 401.*set HF_TOKEN/);
    await expect(resolveHfFiles("hf://datasets/acme/multi", opts())).rejects.toThrow(/several configs \(main, socratic\): set 'config'/);
    await expect(resolveHfFiles("hf://datasets/acme/toy", { ...opts(), split: "validation" })).rejects.toThrow(/no split 'validation' \(splits: train, test\)/);
  });

  test("HF_ENDPOINT and HF_TOKEN come from the environment", async () => {
    const saved = { e: process.env.HF_ENDPOINT, t: process.env.HF_TOKEN };
    process.env.HF_ENDPOINT = hubUrl;
    process.env.HF_TOKEN = "env-token";
    try {
      await resolveHfFiles("hf://datasets/acme/toy", { cacheDir: path.join(dir, "hf"), split: "test" });
      expect(hits[0]!.auth).toBe("Bearer env-token");
    } finally {
      if (saved.e === undefined) delete process.env.HF_ENDPOINT;
      else process.env.HF_ENDPOINT = saved.e;
      if (saved.t === undefined) delete process.env.HF_TOKEN;
      else process.env.HF_TOKEN = saved.t;
    }
  });
});

describe("hf:// sources in profiling and staging", () => {
  test("profileSource and stageSources read hf:// like local files", async () => {
    const spec = {
      id: "t",
      instruction: "x",
      benchmark: { id: "b", path: "hf://datasets/acme/toy", split: "test" },
      sources: [{ id: "toy", path: "hf://datasets/acme/toy", split: "train" }],
    };
    const task = parseTaskSpec(spec, "<inline>", dir);
    const prof = await profileSource({ ...task.spec.sources[0]!, id: "toy" }, { benchmarkTexts: ["five plus five"], hf: opts() });
    expect(prof).toMatchObject({ id: "toy", path: "hf://datasets/acme/toy", format: "parquet", rows: 3, topLevelFields: ["q", "n"] });
    expect(prof.relevance).toBeGreaterThan(0);
    const [staged] = await stageSources(task, { cacheDir: path.join(dir, "staged"), hf: opts() });
    expect([staged!.rows, staged!.format, staged!.cached]).toEqual([3, "parquet", false]);
  });
});
