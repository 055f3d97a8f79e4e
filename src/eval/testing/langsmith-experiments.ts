/**
 * A loopback stand-in for the LangSmith endpoints an evaluation uses, for tests: datasets,
 * examples (multipart upload), sessions (experiments), runs and feedback, all kept in memory.
 * The LLM engineer's capture server (src/llm/testing/langsmith-capture.ts) records traces but
 * answers dataset and session calls with `{}`, which the SDK cannot continue from (it needs
 * the created ids back), hence this one; it reuses that module's multipart parser.
 */
import http from "node:http";
import { randomUUID } from "node:crypto";
import { LoopbackServer, readBody } from "../../testing/loopback-server.js";
import { parseMultipart } from "../../llm/testing/langsmith-capture.js";

export interface Stored {
  id: string;
  [key: string]: unknown;
}

export class LangSmithExperimentServer extends LoopbackServer {
  readonly datasets = new Map<string, Stored>();
  readonly examples = new Map<string, Stored>();
  readonly sessions = new Map<string, Stored>();
  readonly runs = new Map<string, Stored>();
  readonly feedback: Stored[] = [];
  readonly requests: { method: string; path: string }[] = [];


  protected async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const [rawPath, query = ""] = (req.url ?? "/").split("?");
    const url = rawPath!;
    const params = new URLSearchParams(query);
    const method = req.method ?? "GET";
    this.requests.push({ method, path: url });
    const send = (status: number, data: unknown) => {
      const s = JSON.stringify(data);
      res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(s) });
      res.end(s);
    };
    const json = () => JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>;
    try {
      let m: RegExpExecArray | null;
      if (method === "GET" && url.endsWith("/info"))
        return send(200, { version: "0.10.0", instance_flags: { dataset_examples_multipart_enabled: true }, batch_ingest_config: { use_multipart_endpoint: true, size_limit: 100, size_limit_bytes: 20_971_520, scale_up_qsize_trigger: 1000, scale_up_nthreads_limit: 16, scale_down_nempty_trigger: 4 } });
      if (method === "GET" && url === "/datasets") {
        const name = params.get("name");
        return send(200, [...this.datasets.values()].filter((d) => !name || d.name === name));
      }
      if (method === "GET" && (m = /^\/datasets\/([^/]+)$/.exec(url))) {
        const d = this.datasets.get(m[1]!);
        return d ? send(200, d) : send(404, { detail: "Dataset not found" });
      }
      if (method === "POST" && url === "/datasets") {
        const d = { id: randomUUID(), created_at: new Date().toISOString(), ...json() };
        this.datasets.set(d.id, d);
        return send(200, d);
      }
      if (method === "POST" && (m = /\/datasets\/([^/]+)\/examples$/.exec(url))) {
        const datasetId = m[1]!;
        const ids: string[] = [];
        for (const part of parseMultipart(body, String(req.headers["content-type"] ?? ""))) {
          const [id, field] = part.name.split(".");
          const ex = this.examples.get(id!) ?? { id: id!, dataset_id: datasetId };
          const value = JSON.parse(part.body.toString("utf8")) as Record<string, unknown>;
          if (field) ex[field] = value;
          else Object.assign(ex, value);
          this.examples.set(id!, ex);
          if (!ids.includes(id!)) ids.push(id!);
        }
        return send(200, { example_ids: ids, count: ids.length });
      }
      if (method === "GET" && (m = /^\/examples\/([^/]+)$/.exec(url))) {
        const ex = this.examples.get(m[1]!);
        return ex ? send(200, ex) : send(404, { detail: "Example not found" });
      }
      if (method === "POST" && url === "/sessions") {
        const s = { id: randomUUID(), ...json() };
        this.sessions.set(s.id, s);
        return send(200, s);
      }
      if (method === "PATCH" && (m = /^\/sessions\/([^/]+)$/.exec(url))) {
        const s = this.sessions.get(m[1]!);
        if (!s) return send(404, { detail: "Session not found" });
        Object.assign(s, json());
        return send(200, s);
      }
      if (method === "POST" && url === "/runs") {
        const r = json() as Stored;
        this.runs.set(r.id, { ...(this.runs.get(r.id) ?? {}), ...r });
        return send(200, {});
      }
      if (method === "POST" && url === "/feedback") {
        const f = json() as Stored;
        this.feedback.push(f);
        return send(200, f);
      }
      return send(200, {});
    } catch (e) {
      return send(400, { error: (e as Error).message });
    }
  }
}

export async function startLangSmithExperimentServer(): Promise<LangSmithExperimentServer> {
  const s = new LangSmithExperimentServer();
  await s.start();
  return s;
}
