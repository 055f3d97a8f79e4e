import { bytes, classifyExit, signalFromExitCode, type ExitFacts } from "./classify.js";
import { DEFAULT_LIMITS } from "./types.js";

const limits = { ...DEFAULT_LIMITS, wallMs: 2_000, cpuSeconds: 3, memoryBytes: 512 * 1024 ** 2, outputBytes: 1024 ** 2, maxProcesses: 32 };
const base: ExitFacts = { exitCode: 1, signal: null, stderr: "", killedFor: null, durationMs: 100, exitCodeMaySignal: true };
const c = (f: Partial<ExitFacts>) => classifyExit({ ...base, ...f }, limits);

describe("classifyExit", () => {
  test("the supervisor's own kills come first", () => {
    expect(c({ killedFor: "wall", signal: "SIGKILL", exitCode: null })).toMatchObject({ limitHit: "wall", reason: expect.stringMatching(/wall-time limit of 2 s/) });
    expect(c({ killedFor: "output", overflowStream: "stderr" })).toMatchObject({ limitHit: "output", reason: expect.stringMatching(/1 MiB exceeded on stderr/) });
  });
  test("signals, direct or as 128+n from a wrapper", () => {
    expect(c({ exitCode: null, signal: "SIGXCPU" }).limitHit).toBe("cpu");
    expect(c({ exitCode: 152 })).toMatchObject({ limitHit: "cpu", signal: "SIGXCPU" });
    expect(c({ exitCode: 153 })).toMatchObject({ limitHit: "file_size", signal: "SIGXFSZ" });
    expect(c({ exitCode: 152, exitCodeMaySignal: false }).limitHit).toBeUndefined();
    expect(c({ exitCode: 139 })).toMatchObject({ signal: "SIGSEGV", reason: "killed by signal SIGSEGV" });
  });
  test("python's own errors in the stderr tail", () => {
    expect(c({ stderr: "Traceback\nMemoryError\n" })).toMatchObject({ limitHit: "memory", reason: expect.stringMatching(/512 MiB/) });
    expect(c({ stderr: "BlockingIOError: [Errno 11] Resource temporarily unavailable" })).toMatchObject({ limitHit: "processes", reason: expect.stringMatching(/32/) });
    expect(c({ stderr: "OSError: [Errno 27] File too large" }).limitHit).toBe("file_size");
    expect(c({ stderr: "ValueError: bad" })).toEqual({ signal: null, reason: "exited with code 1" });
  });
  test("a clean exit hits nothing even if stderr mentions MemoryError", () => {
    expect(c({ exitCode: 0, stderr: "caught MemoryError, retried" })).toEqual({ signal: null, reason: "exited with code 0" });
  });
  test("an unexplained SIGKILL is CPU after the CPU budget, memory before", () => {
    expect(c({ exitCode: 137, durationMs: 5_000 }).limitHit).toBe("cpu");
    expect(c({ exitCode: 137, durationMs: 500 }).limitHit).toBe("memory");
  });
  test("helpers", () => {
    expect(signalFromExitCode(137)).toBe("SIGKILL");
    expect(signalFromExitCode(1)).toBeNull();
    expect(bytes(512 * 1024 ** 2)).toBe("512 MiB");
    expect(bytes(1536)).toBe("1.5 KiB");
  });
});
