/**
 * Judge concurrency benchmark: the loopback OpenAI-compatible server answers every judge call
 * after 200 ms; 100 samples are graded at concurrency 16 over real HTTP, through the verifier
 * (verifyDataset with the LLM judge). The ideal is ceil(100 / 16) x 200 ms = 1400 ms; the target
 * is at most 1.5x that.
 *
 *   npx tsx bench/judge-concurrency.ts [--samples 100] [--concurrency 16] [--latency 200]
 *
 * Prints a table and writes bench/out/judge-concurrency.json. Exit code 1 when over target.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LlmJudge } from "../agents/verifier/llm-judge.js";
import { testModelConfig, tinyTask } from "../src/llm/testing/fixtures.js";
import { OpenAiTestServer } from "../src/llm/testing/openai-server.js";
import { verifyDataset } from "../src/verify/verify.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const TARGET_RATIO = 1.5;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function main(): Promise<number> {
  const samples = arg("samples", 100);
  const concurrency = arg("concurrency", 16);
  const latency = arg("latency", 200);
  const server = new OpenAiTestServer({ latencyMs: latency, replies: [{ content: "The sum is right and the marker is present.\nGrade: \\boxed{E} Reason: correct" }] });
  await server.start();
  const dir = mkdtempSync(path.join(os.tmpdir(), "judge-bench-"));
  try {
    const data = path.join(dir, "data.jsonl");
    const lines = Array.from({ length: samples }, (_, i) =>
      JSON.stringify({ messages: [{ role: "user", content: `Sam has ${i} marbles and finds 2 more. How many marbles does he have?` }, { role: "assistant", content: `${i} + 2 = ${i + 2}\n#### ${i + 2}` }] }),
    );
    writeFileSync(data, lines.join("\n") + "\n");
    const { contract, benchmarkExamples } = tinyTask();
    const judge = new LlmJudge({ config: testModelConfig(server.url, { agent: "judge", concurrency, timeoutMs: 10_000 }) });
    // warm-up: connection set-up and module loading are not what is measured
    await judge.grade({ index: 0, line: 1, messages: [{ role: "user", content: "q" }, { role: "assistant", content: "a" }], user: "q", assistant: "a" }, { contract, benchmarkRecords: benchmarkExamples });
    server.reset({ content: "The sum is right and the marker is present.\nGrade: \\boxed{E} Reason: correct" });
    const t0 = performance.now();
    const result = await verifyDataset({ dataPath: data, metaPath: null, contract, benchmarkRecords: benchmarkExamples, judge, samples, concurrency });
    const ms = performance.now() - t0;
    const ideal = Math.ceil(samples / concurrency) * latency;
    const ratio = ms / ideal;
    const out = {
      samples,
      concurrency,
      latency_ms: latency,
      calls: server.chatRequests().length,
      graded: result.sampled,
      passes: result.grades.pass,
      peak_in_flight: judge.limiter.peak,
      wall_ms: Math.round(ms),
      ideal_ms: ideal,
      ratio: +ratio.toFixed(3),
      target_ratio: TARGET_RATIO,
      ok: ratio <= TARGET_RATIO && result.sampled === samples,
      node: process.version,
      cpus: os.cpus().length,
    };
    console.log("judge concurrency benchmark (loopback HTTP, LlmJudge via verifyDataset)");
    for (const [k, v] of Object.entries(out)) console.log(`  ${k.padEnd(15)} ${v}`);
    mkdirSync(path.join(REPO, "bench", "out"), { recursive: true });
    writeFileSync(path.join(REPO, "bench", "out", "judge-concurrency.json"), JSON.stringify(out, null, 2) + "\n");
    return out.ok ? 0 : 1;
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
