/**
 * Streaming benchmark of the data layer on a ~1 GB JSONL file.
 *
 *   npx tsx bench/streaming.ts [--mb 1024] [--sample 2000]
 *
 * Builds the file in os.tmpdir() from gsm8k_train rows (../shared/datasets; synthetic word
 * problems when absent) with varying ids, then times `wc -l`, `countRows` and `profileSource`.
 * Each of our steps runs in a child process, so its peak RSS (`process.resourceUsage().maxRSS`)
 * is its own and not the generator's; an idle child gives the runtime's baseline. The file is
 * deleted at the end. Results: a table on stdout and bench/out/streaming.json.
 * Target: peak RSS < 300 MB for every step.
 */
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(HERE), "..");
const RSS_TARGET_MB = 300;

interface ChildResult {
  step: string;
  ms: number;
  rows?: number;
  maxRssMb: number;
  detail?: Record<string, unknown>;
}

/** Child mode: run one step, print its result as JSON. */
async function child(step: string, file: string, sample: number): Promise<void> {
  // imported before the clock starts: module loading is not the step's cost
  const { countRows } = await import("../src/data/readers.js");
  const { profileSource } = await import("../src/data/profile.js");
  const t0 = performance.now();
  let out: Omit<ChildResult, "maxRssMb" | "ms" | "step"> = {};
  if (step === "count") {
    out = { rows: await countRows(file) };
  } else if (step === "profile") {
    const p = await profileSource({ id: "bench", path: file }, { benchmarkTexts: ["Natalia sold clips to 48 of her friends in April. How many clips did she sell?"], sampleSize: sample });
    out = { rows: p.rows, detail: { sampleSize: p.sampleSize, fields: p.topLevelFields, relevance: p.relevance, duplicateRate: p.duplicateRate, malformed: p.malformed } };
  } else if (step !== "idle") throw new Error(`unknown step ${step}`);
  const ms = performance.now() - t0;
  const result: ChildResult = { step, ms: Math.round(ms), ...out, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) };
  process.stdout.write(JSON.stringify(result) + "\n");
}

function runChild(step: string, file: string, sample: number): ChildResult {
  const r = spawnSync(process.execPath, ["--import", "tsx", HERE, "--child", step, file, String(sample)], { cwd: REPO, encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`child '${step}' failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as ChildResult;
}

/** Source rows for the generated file. */
function seedRows(): { question: string; answer: string }[] {
  const gsm = path.resolve(REPO, "../shared/datasets/math/gsm8k_train.jsonl");
  if (existsSync(gsm)) return readFileSync(gsm, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  console.warn(`${gsm} not found: generating synthetic word problems`);
  return Array.from({ length: 1000 }, (_, i) => ({
    question: `A shop sells ${i + 2} pencils for ${i + 3} dollars each. How many dollars do ${i + 4} pencils cost?`,
    answer: `Each pencil costs ${i + 3} dollars, so ${i + 4} pencils cost ${(i + 3) * (i + 4)} dollars.\n#### ${(i + 3) * (i + 4)}`,
  }));
}

async function generate(file: string, targetBytes: number): Promise<{ rows: number; bytes: number; ms: number }> {
  const t0 = performance.now();
  const seed = seedRows();
  const out = createWriteStream(file);
  let bytes = 0;
  let rows = 0;
  let batch = "";
  while (bytes < targetBytes) {
    const r = seed[rows % seed.length]!;
    // varying ids and a pass counter keep records distinct, like a real large corpus
    const line = JSON.stringify({ id: `gsm8k-${rows}`, pass: Math.floor(rows / seed.length), question: r.question, answer: r.answer }) + "\n";
    batch += line;
    bytes += Buffer.byteLength(line);
    rows++;
    if (batch.length > 4 << 20) {
      if (!out.write(batch)) await once(out, "drain");
      batch = "";
    }
  }
  out.end(batch);
  await once(out, "finish");
  return { rows, bytes, ms: Math.round(performance.now() - t0) };
}

function timeWc(file: string): { ms: number; rows: number; maxRssMb: number | null } {
  const hasTime = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const r = hasTime ? spawnSync("/usr/bin/time", ["-v", "wc", "-l", file], { encoding: "utf8" }) : spawnSync("wc", ["-l", file], { encoding: "utf8" });
  const ms = Math.round(performance.now() - t0);
  if (r.status !== 0) throw new Error(`wc failed: ${r.stderr}`);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? "");
  return { ms, rows: Number(r.stdout.trim().split(/\s+/)[0]), maxRssMb: rss ? Math.round(Number(rss[1]) / 1024) : null };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === "--child") {
    await child(argv[1]!, argv[2]!, Number(argv[3]));
    return 0;
  }
  const opt = (name: string, dflt: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const mb = opt("--mb", 1024);
  const sample = opt("--sample", 2000);
  const file = path.join(os.tmpdir(), `datachef-bench-${process.pid}.jsonl`);
  try {
    console.log(`generating ${mb} MB of JSONL at ${file} ...`);
    const gen = await generate(file, mb * 1024 * 1024);
    const size = statSync(file).size;
    const sizeMb = size / (1024 * 1024);
    console.log(`  ${gen.rows} rows, ${sizeMb.toFixed(0)} MB in ${(gen.ms / 1000).toFixed(1)} s`);

    const wc = timeWc(file);
    const idle = runChild("idle", file, sample);
    const count = runChild("count", file, sample);
    const profile = runChild("profile", file, sample);
    const steps = [
      { step: "wc -l", ms: wc.ms, rows: wc.rows, maxRssMb: wc.maxRssMb },
      { step: "child baseline (node+tsx+modules)", ms: idle.ms, rows: undefined, maxRssMb: idle.maxRssMb },
      { step: "countRows", ms: count.ms, rows: count.rows, maxRssMb: count.maxRssMb },
      { step: `profileSource (sample ${sample})`, ms: profile.ms, rows: profile.rows, maxRssMb: profile.maxRssMb },
    ].map((s) => ({ ...s, mbPerS: s.ms > 0 && s.rows !== undefined ? Math.round(sizeMb / (s.ms / 1000)) : null }));

    const ok = count.rows === gen.rows && profile.rows === gen.rows && wc.rows === gen.rows && [count, profile].every((s) => s.maxRssMb < RSS_TARGET_MB);
    const header = ["step", "time (s)", "MB/s", "rows", "peak RSS (MB)"];
    const cells = steps.map((s) => [s.step, (s.ms / 1000).toFixed(2), s.mbPerS === null ? "-" : String(s.mbPerS), s.rows === undefined ? "-" : String(s.rows), s.maxRssMb === null ? "?" : String(s.maxRssMb)]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const fmt = (c: string[]) => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ");
    console.log(`\nfile: ${sizeMb.toFixed(0)} MB, ${gen.rows} rows (${os.cpus().length} cores, node ${process.version})`);
    console.log([fmt(header), fmt(widths.map((w) => "-".repeat(w))), ...cells.map(fmt)].join("\n"));
    console.log(`\ntarget peak RSS < ${RSS_TARGET_MB} MB: ${ok ? "met" : "NOT met (or row counts disagree)"}`);

    const outDir = path.join(REPO, "bench", "out");
    mkdirSync(outDir, { recursive: true });
    const report = { date: new Date().toISOString(), node: process.version, cores: os.cpus().length, file: { mb: Math.round(sizeMb), rows: gen.rows, generateMs: gen.ms }, rssTargetMb: RSS_TARGET_MB, ok, steps, profile: profile.detail };
    writeFileSync(path.join(outDir, "streaming.json"), JSON.stringify(report, null, 1) + "\n");
    console.log(`written: ${path.relative(process.cwd(), path.join(outDir, "streaming.json"))}`);
    return ok ? 0 : 1;
  } finally {
    rmSync(file, { force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(`streaming bench: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  },
);
