import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { executeRecipe } from "../../agents/interpreter/execute.js";
import { LocalSandbox } from "../sandbox/index.js";
import { toolkitBytecode } from "./bytecode.js";
import { TOOLKIT_PATH } from "./reference.js";

const RECIPE = "import datachef_toolkit as dc\nprint('toolkit', dc.__name__)\n";

describe("the compiled toolkit", () => {
  const saved = process.env.DATACHEF_CACHE;
  beforeAll(() => (process.env.DATACHEF_CACHE = mkdtempSync(path.join(os.tmpdir(), "toolkit-pyc-"))));
  afterAll(() => (saved === undefined ? delete process.env.DATACHEF_CACHE : (process.env.DATACHEF_CACHE = saved)));

  it("is staged next to the toolkit and used by the sandbox's python", async () => {
    const out = await executeRecipe({ recipe: RECIPE, sources: [], outDir: mkdtempSync(path.join(os.tmpdir(), "pyc-run-")), sandbox: "local", env: { PYTHONVERBOSE: "1" } });
    expect(out.recipeRun.stdout).toContain("toolkit datachef_toolkit");
    expect(out.recipeRun.stderr).toMatch(/__pycache__\/datachef_toolkit\.[\w-]+\.pyc matches .*datachef_toolkit\.py/);
  });

  it("is ignored by python when it was compiled from other source", async () => {
    const sandbox = await LocalSandbox.create();
    try {
      const toolkit = readFileSync(TOOLKIT_PATH);
      const stale = await toolkitBytecode(sandbox.python, Buffer.concat([toolkit, Buffer.from("\nSTALE = 1\n")]));
      expect(stale).not.toBeNull();
      await sandbox.writeFile("datachef_toolkit.py", toolkit);
      await sandbox.stageFile(stale!.hostPath, stale!.relPath, { readOnly: true });
      await sandbox.writeFile("recipe.py", `${RECIPE}print('stale', hasattr(dc, 'STALE'))\n`);
      const run = await sandbox.run(["python3", "recipe.py"], { env: { PYTHONVERBOSE: "1" } });
      expect(run.stdout).toContain("stale False");
      expect(run.stderr).not.toMatch(/datachef_toolkit\.[\w-]+\.pyc matches/);
    } finally {
      await sandbox.close();
    }
  });

  it("is compiled once per interpreter and source", async () => {
    const python = (await LocalSandbox.create().then(async (s) => [s.python, await s.close()]))[0] as string;
    const src = readFileSync(TOOLKIT_PATH);
    const [a, b] = [await toolkitBytecode(python, src), await toolkitBytecode(python, src)];
    expect(a).toEqual(b);
    expect(await toolkitBytecode("/no/such/python", src)).toBeNull();
  });
});
