import { jest } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "./main.js";
import { parseBaselines } from "./eval.js";

async function run(argv: string[]): Promise<{ code: number; err: string }> {
  let err = "";
  const spy = jest.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
  try {
    return { code: await main(argv), err };
  } finally {
    spy.mockRestore();
  }
}

test("--baselines names", () => {
  expect(parseBaselines("single,all,random")).toEqual(["single-source", "all-sources", "random-plan"]);
  expect(parseBaselines("random,random-plan")).toEqual(["random-plan"]);
  expect(parseBaselines("none")).toEqual([]);
  expect(() => parseBaselines("best")).toThrow(/unknown baseline 'best'/);
});

test("bad input exits 2 with a one-line reason", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "datachef-eval-cli-"));
  const spec = path.join(dir, "t.json");
  writeFileSync(spec, JSON.stringify({ id: "t", instruction: "Do it.", benchmark: { id: "b", path: "b.jsonl" }, sources: [{ id: "s", path: "s.jsonl" }] }));
  expect(await run(["eval"])).toMatchObject({ code: 2, err: expect.stringMatching(/missing required argument/) });
  expect(await run(["eval", path.join(dir, "missing.json")])).toMatchObject({ code: 2, err: expect.stringMatching(/missing\.json: no such task spec file/) });
  expect(await run(["eval", spec, "--baselines", "best"])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown baseline 'best'/) });
  expect(await run(["eval", spec, "--seeds", "x"])).toMatchObject({ code: 2, err: expect.stringMatching(/--seeds must be an integer/) });
  expect(await run(["eval", spec, "--seeds", "0"])).toMatchObject({ code: 2, err: expect.stringMatching(/--seeds must be at least 1/) });
  expect(await run(["eval", spec, "--policy", path.join(dir, "nope.json"), "--out", path.join(dir, "o")])).toMatchObject({ code: 2, err: expect.stringMatching(/--policy .*nope\.json: expected builtin, model, or an existing policy\.json/) });
  expect(await run(["eval-verifier", spec, "--from", path.join(dir, "none"), "--out", path.join(dir, "v")])).toMatchObject({ code: 2, err: expect.stringMatching(/no journal\.jsonl there/) });
});
