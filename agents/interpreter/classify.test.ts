import { classifyError, missingFieldOf, type RunFacts } from "./classify.js";

const run = (stderr: string, extra: Partial<RunFacts> = {}): RunFacts => ({ exitCode: 1, stdout: "", stderr, timedOut: false, ...extra });

const tb = (body: string, last: string) => `[datachef] load:svamp: 1000 -> 1000\nTraceback (most recent call last):\n  File "recipe.py", line 612, in <module>\n    main()\n${body}${last}\n`;

describe("classifyError", () => {
  test("time and resource limits", () => {
    expect(classifyError(run("", { timedOut: true, exitCode: null, reason: "wall-time limit of 300 s exceeded; process group killed" }))).toMatchObject({
      kind: "timeout",
      message: "wall-time limit of 300 s exceeded; process group killed",
    });
    expect(classifyError(run("", { limitHit: "cpu", exitCode: null })).kind).toBe("timeout");
    expect(classifyError(run("MemoryError\n", { limitHit: "memory" }))).toMatchObject({ kind: "limit", message: "the run hit its memory limit" });
  });

  test("a missing field named by require_fields, with its source", () => {
    const err = classifyError(
      run(tb(`  File "recipe.py", line 540, in main\n    require_fields("svamp", records, ["Bodyy", "Answer"])\n  File "recipe.py", line 380, in require_fields\n    raise KeyError("source '%s' has no field '%s'" % (source_id, path))\n`, `KeyError: "source 'svamp' has no field 'Bodyy'"`)),
    );
    expect(err.kind).toBe("missing_field");
    expect(err.message).toBe(`KeyError: "source 'svamp' has no field 'Bodyy'"`);
    expect(err.tracebackTail).toMatch(/^Traceback/);
    expect(missingFieldOf(err)).toEqual({ source: "svamp", field: "Bodyy" });
  });

  test("a bare KeyError from hand-written code", () => {
    const err = classifyError(run(tb(`  File "recipe.py", line 20, in build\n    q = rec["Qestion"]\n`, "KeyError: 'Qestion'")));
    expect(err.kind).toBe("missing_field");
    expect(missingFieldOf(err)).toEqual({ field: "Qestion" });
  });

  test("syntax and import errors", () => {
    const syntax = classifyError(run(`  File "/sandbox/recipe.py", line 14\n    def build(rec)\n                  ^\nSyntaxError: expected ':'\n`));
    expect(syntax).toMatchObject({ kind: "syntax", message: "SyntaxError: expected ':' (/sandbox/recipe.py, line 14)" });
    expect(classifyError(run(tb("", "ModuleNotFoundError: No module named 'numpy'")))).toMatchObject({ kind: "import", message: "ModuleNotFoundError: No module named 'numpy'" });
  });

  test("check.py failures keep their tag", () => {
    const cov = classifyError(run("CHECK FAILED [label_coverage]: never used as an answer: maybe (counts: {'yes': 40})\n"), { phase: "check" });
    expect(cov).toMatchObject({ kind: "assertion", message: "check.py [label_coverage]: never used as an answer: maybe (counts: {'yes': 40})" });
    expect(classifyError(run("CHECK FAILED [empty_output]: output/data.jsonl holds no records\n"), { phase: "check" }).kind).toBe("empty_output");
    expect(classifyError(run("CHECK FAILED [bad_json]: line 3 is not JSON\n"), { phase: "check" }).kind).toBe("bad_json");
  });

  test("empty output: the recipe's own exit message or an exit 0 without records", () => {
    expect(classifyError(run("WARNING: source 'svamp' produced no records\nEMPTY OUTPUT: no records survived standardisation and filtering\n")).kind).toBe("empty_output");
    expect(classifyError(run("", { exitCode: 0 }), { emptyOutput: true })).toMatchObject({ kind: "empty_output" });
  });

  test("bad JSON, assertions and other runtime errors", () => {
    expect(classifyError(run(tb("", "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)"))).kind).toBe("bad_json");
    expect(classifyError(run(tb("", "AssertionError: no records"))).kind).toBe("assertion");
    const rt = classifyError(run(tb(`  File "recipe.py", line 9, in build_svamp\n    x = 1 / 0\n`, "ZeroDivisionError: division by zero")));
    expect(rt).toMatchObject({ kind: "runtime", message: "ZeroDivisionError: division by zero" });
    expect(rt.tracebackTail).toContain("build_svamp");
    expect(classifyError(run("", { sandboxError: "bwrap: setting up uid map: Permission denied" }))).toMatchObject({ kind: "runtime", message: "sandbox error: bwrap: setting up uid map: Permission denied" });
  });

  test("tails are bounded", () => {
    const long = Array.from({ length: 500 }, (_, i) => `line ${i}`).join("\n");
    const err = classifyError(run(long + "\nValueError: x\n"));
    expect(err.stderrTail.split("\n").length).toBeLessThanOrEqual(20);
    expect(err.message).toBe("ValueError: x");
  });
});
