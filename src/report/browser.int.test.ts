/**
 * report.html and the rollout-store page in a real browser: Debian's chromium, headless, driven
 * by playwright-core, with every non-file request blocked and recorded. Asserts every chart's
 * SVG is there with marks, and saves screenshots to evals/out/.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium, type BrowserContext } from "playwright-core";
import { demoTaskSpec, generateDemoPool } from "../demo/generate.js";
import { cookTask } from "../cli/cook.js";
import { ProgressDisplay } from "../cli/progress.js";
import { reportCommand } from "../cli/report.js";
import { REPO_ROOT } from "../recipe/paths.js";
import { writeFakeStore } from "./testing.js";

const CHROMIUM = process.env.DATACHEF_CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SHOTS = path.join(REPO_ROOT, "evals", "out");

const describeBrowser = existsSync(CHROMIUM) ? describe : (console.warn(`SKIPPED report browser test: ${CHROMIUM} is missing (scripts/ensure-system-deps.sh installs chromium)`), describe.skip);

describeBrowser("report pages in headless Chromium", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "datachef-browser-"));
  let context: BrowserContext;
  const offSite: string[] = [];

  beforeAll(async () => {
    // a fresh profile every time (launchPersistentContext owns --user-data-dir)
    context = await chromium.launchPersistentContext(path.join(root, "profile"), { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1100, height: 900 } });
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:")) return route.continue();
      offSite.push(url);
      return route.abort();
    });
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test("a cooked run's report.html shows every chart and the graded-samples table", async () => {
    const pool = path.join(root, "demo");
    await generateDemoPool(pool);
    const out = path.join(root, "run");
    const { report } = await cookTask(demoTaskSpec(pool, "math"), { out, seed: 1, samples: 40, policy: "builtin", temperature: 1, sandbox: "auto", maxAttempts: 3 }, new ProgressDisplay(process.stderr, true));
    expect(report.status).toBe("ok");

    const page = await context.newPage();
    await page.goto(pathToFileURL(path.join(out, "report.html")).href);
    for (const id of ["grades", "source_mix", "length_user", "length_assistant", "attempts"]) {
      const svg = page.locator(`svg[data-chart="${id}"]`);
      await expect(svg.count()).resolves.toBe(1);
      const box = await svg.boundingBox();
      expect(box!.width).toBeGreaterThan(100);
      expect(box!.height).toBeGreaterThan(50);
      // marks were drawn: bars are paths in vega's SVG
      expect(await svg.locator("path").count()).toBeGreaterThan(0);
    }
    expect(await page.locator('svg[data-chart="grades"] text', { hasText: "pass (1)" }).count()).toBe(1);
    expect(await page.locator("table[data-table=samples] tbody tr").count()).toBe(report.verifier.sampled);
    expect(await page.locator("[data-card=reward] .big").textContent()).toBe(String(Number.isInteger(report.reward) ? report.reward : report.reward.toFixed(3)));
    await page.screenshot({ path: path.join(SHOTS, "report-html.png"), fullPage: true });
    await page.screenshot({ path: path.join(SHOTS, "report-html-top.png"), fullPage: true, clip: { x: 0, y: 0, width: 1100, height: 1800 } });
    await page.close();
    expect(offSite).toEqual([]);
  }, 120_000);

  test("datachef report renders a rollout store: reward per group, spread, training curve", async () => {
    const store = path.join(root, "rollouts.sqlite");
    await writeFakeStore(store, { steps: 3, groups: 2, g: 4 });
    const html = path.join(root, "store.html");
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      expect(await reportCommand(store, { out: html })).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const page = await context.newPage();
    await page.goto(pathToFileURL(html).href);
    for (const id of ["reward_per_group", "spread", "training_curve"]) {
      const svg = page.locator(`svg[data-chart="${id}"]`);
      await expect(svg.count()).resolves.toBe(1);
      expect((await svg.boundingBox())!.width).toBeGreaterThan(100);
      expect(await svg.locator("path, line").count()).toBeGreaterThan(0);
    }
    expect(await page.locator("table[data-table=groups] tbody tr").count()).toBe(6);
    expect(await page.locator("[data-card=rollouts] .big").textContent()).toBe("24");
    await page.screenshot({ path: path.join(SHOTS, "store-html.png"), fullPage: true });
    await page.close();
    expect(offSite).toEqual([]);
  }, 60_000);
});
