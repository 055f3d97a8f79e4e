/**
 * The reward server as a trainer meets it: a child process (`datachef serve-reward`), 32
 * completions posted by 8 concurrent clients, malformed bodies, the health route and SIGTERM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { demoTaskSpec, ensureDemoPool } from "../demo/generate.js";
import { REPO_ROOT } from "../recipe/paths.js";
import { builtinCompletion } from "./builtin-completion.js";
import { instancePrompt, instanceView, PreparedTaskCache } from "./instances.js";
import { chefCompletionText } from "./completion.js";
import { RewardServer } from "./reward-server.js";

const template = (messages: { role: string; content: string }[]) => messages.map((m) => `<|im_start|>${m.role}\n${m.content}<|im_end|>\n`).join("") + "<|im_start|>assistant\n";

function brokenCompletions(valid: string): string[] {
  const plan = valid.slice(0, valid.indexOf("### recipe.py"));
  return [
    "I would use the math sources and deduplicate them.", // no plan, no code
    chefCompletionText(plan, "import datachef_toolkit as dc\nraise RuntimeError('boom')\n", "print('ok')\n"), // crashes
    chefCompletionText(plan, "import datachef_toolkit as dc\nrecs = list(dc.iter_source('no_such_source'))\ndc.dump_jsonl(recs)\n", "print('ok')\n"), // unknown source
    chefCompletionText(plan, "import datachef_toolkit as dc\ndc.dump_jsonl([])\n", "print('ok')\n"), // empty
  ];
}

async function post(url: string, body: unknown): Promise<{ status: number; json: any; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}/get_reward`, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const json = await res.json();
  return { status: res.status, json, ms: performance.now() - t0 };
}

describe("datachef serve-reward (integration)", () => {
  let child: ChildProcess;
  let url = "";
  let spec = "";
  let stderr = "";

  beforeAll(async () => {
    spec = demoTaskSpec(await ensureDemoPool(), "math");
    child = spawn(process.execPath, [path.join(REPO_ROOT, "bin", "datachef.js"), "serve-reward", "--port", "0", "--tasks", spec, "--concurrency", "2", "--samples", "10", "--timeout", "120"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    child.stderr!.on("data", (d) => (stderr += d));
    url = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on("exit", (c) => reject(new Error(`serve-reward exited ${c}: ${stderr}`)));
    });
  }, 60_000);

  afterAll(() => {
    if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("answers health and rejects malformed requests with 400 and a message", async () => {
    const h = await fetch(`${url}/health`);
    expect(h.status).toBe(200);
    expect((await h.json()).tasks).toEqual(["demo_math_word"]);
    const cases: [unknown, RegExp][] = [
      ["{not json", /not valid JSON/],
      [{ prompts: ["x"] }, /'query' must be an array/],
      [{ query: [] }, /empty/],
      [{ query: ["a", "b"], labels: ["demo_math_word"] }, /'labels' has 1 entries but 'query' has 2/],
      [{ query: ["a"], labels: ["no_such_task"] }, /unknown task 'no_such_task'/],
      [{ query: ["a"], labels: ["demo_math_word@not_a_source"] }, /has no source 'not_a_source'/],
      [{ query: [42] }, /query\[0\] must be a string/],
    ];
    for (const [body, re] of cases) {
      const r = await post(url, body);
      expect(r.status).toBe(400);
      expect(r.json.error).toMatch(re);
    }
    expect((await fetch(`${url}/nope`)).status).toBe(404);
  });

  it("scores 32 completions from 8 concurrent clients: all answered, valid recipes above invalid ones", async () => {
    const full = await new PreparedTaskCache().get(spec);
    const view = instanceView(full, full.loaded.spec.sources.map((s) => s.id));
    const prompt = template(instancePrompt(view));
    const valid = Array.from({ length: 16 }, (_, i) => builtinCompletion(view, 100 + i));
    const invalid = Array.from({ length: 4 }, () => brokenCompletions(valid[0]!)).flat();
    const items = [...valid.map((c) => ({ c, valid: true })), ...invalid.map((c) => ({ c, valid: false }))];
    // interleave so every client gets both kinds
    const order = items.map((it, i) => ({ it, key: (i * 7919) % items.length })).sort((a, b) => a.key - b.key).map((x) => x.it);
    const latencies: number[] = [];
    const scored: { valid: boolean; reward: number; status: string }[] = [];
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        for (let k = 0; k < 4; k++) {
          const it = order[client * 4 + k]!;
          const r = await post(url, { query: [prompt + it.c + "<|im_end|>"], prompts: [prompt], labels: ["demo_math_word"] });
          expect(r.status).toBe(200);
          expect(r.json.rewards).toHaveLength(1);
          expect(r.json.scores).toHaveLength(1);
          expect(Object.keys(r.json.extra_logs)).toEqual(expect.arrayContaining(["executed", "parsed", "records"]));
          latencies.push(r.ms);
          scored.push({ valid: it.valid, reward: r.json.rewards[0], status: r.json.statuses[0] });
        }
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.ceil(0.95 * latencies.length) - 1]!;
    const v = scored.filter((s) => s.valid).map((s) => s.reward);
    const inv = scored.filter((s) => !s.valid).map((s) => s.reward);
    console.log(`reward server: 32 completions, 8 clients: ${(32 / wall).toFixed(2)} requests/s, p95 ${(p95 / 1000).toFixed(2)} s, max ${(latencies.at(-1)! / 1000).toFixed(2)} s; valid min ${Math.min(...v).toFixed(3)} mean ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(3)}; invalid max ${Math.max(...inv).toFixed(3)} (${scored.filter((s) => !s.valid).map((s) => s.status).join(",")})`);
    expect(scored).toHaveLength(32);
    expect(Math.min(...v)).toBeGreaterThan(Math.max(...inv));
    expect(p95).toBeLessThan(120_000);
  }, 300_000);

  it("answers a request past its deadline with the timeout penalty, in time", async () => {
    const server = new RewardServer({ tasks: [spec], timeoutMs: 1, context: { samples: 10 } });
    await server.start();
    try {
      const r = await post(server.url, { query: ["## Training Data\n```json\n[]\n```"], labels: ["demo_math_word"] });
      expect(r.status).toBe(200);
      expect(r.json.statuses).toEqual(["timeout"]);
      expect(r.json.rewards).toEqual([-1]);
      expect(r.json.extra_logs.timed_out).toEqual([1]);
      expect(r.ms).toBeLessThan(5_000);
    } finally {
      await server.close(1_000);
      // the abandoned completion stops after its task preparation (it checks the deadline)
      await new Promise((r) => setTimeout(r, 3_000));
    }
  }, 60_000);

  it("finishes a request in flight on SIGTERM, then exits 0", async () => {
    const full = await new PreparedTaskCache().get(spec);
    const view = instanceView(full, full.loaded.spec.sources.map((s) => s.id));
    const pending = post(url, { query: [builtinCompletion(view, 7)], labels: ["demo_math_word"] });
    await new Promise((r) => setTimeout(r, 300));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    child.kill("SIGTERM");
    const r = await pending;
    expect(r.status).toBe(200);
    expect(r.json.rewards[0]).toBeGreaterThan(0);
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM/);
  }, 120_000);
});
