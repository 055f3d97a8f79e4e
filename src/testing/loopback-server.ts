/**
 * Base of the project's test servers (OpenAI-compatible, LangSmith capture, LangSmith
 * experiments): HTTP on 127.0.0.1 on a free port. close() also drops kept-alive connections, so
 * a test's afterAll never waits on an idle client socket.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export abstract class LoopbackServer {
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();
  /** Base URL once started: origin plus basePath. */
  url = "";

  /** @param basePath appended to the origin in `url`, e.g. "/v1" for OpenAI clients. */
  constructor(private readonly basePath = "") {}

  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}${this.basePath}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }
}

/** The whole request body. */
export async function readBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
