/**
 * Names the limit that ended a run, and says so in one readable line. Best effort: it reads
 * the supervisor's own kill reason first, then the terminating signal, then the stderr tail.
 */
import { constants } from "node:os";
import type { LimitHit, RunLimits } from "./types.js";

export interface ExitFacts {
  exitCode: number | null;
  signal: string | null;
  stderr: string;
  killedFor: "wall" | "output" | null;
  overflowStream?: "stdout" | "stderr";
  durationMs: number;
  /** Wrappers (bwrap, sh) report a child's death by signal n as exit code 128+n. */
  exitCodeMaySignal: boolean;
}

export interface Classification {
  limitHit?: LimitHit;
  /** The signal that really ended the program, when known. */
  signal: string | null;
  reason: string;
}

const SIGNAL_BY_NUMBER = new Map<number, string>(
  Object.entries(constants.signals).map(([name, n]) => [n as number, name]),
);

export function signalFromExitCode(code: number | null): string | null {
  if (code === null || code <= 128 || code > 128 + 64) return null;
  return SIGNAL_BY_NUMBER.get(code - 128) ?? null;
}

export function classifyExit(f: ExitFacts, limits: RunLimits): Classification {
  const signal = f.signal ?? (f.exitCodeMaySignal ? signalFromExitCode(f.exitCode) : null);
  if (f.killedFor === "wall") {
    return { limitHit: "wall", signal, reason: `wall-time limit of ${seconds(limits.wallMs)} exceeded; process group killed` };
  }
  if (f.killedFor === "output") {
    return {
      limitHit: "output",
      signal,
      reason: `output limit of ${bytes(limits.outputBytes)} exceeded on ${f.overflowStream ?? "stdout"}; process group killed`,
    };
  }
  if (f.exitCode === 0 && !signal) return { signal: null, reason: "exited with code 0" };

  const tail = f.stderr.slice(-4000);
  if (signal === "SIGXCPU") return { limitHit: "cpu", signal, reason: `CPU-time limit of ${limits.cpuSeconds} s exceeded (SIGXCPU)` };
  if (signal === "SIGXFSZ") return { limitHit: "file_size", signal, reason: `file-size limit of ${bytes(limits.fileBytes)} exceeded (SIGXFSZ)` };
  if (/\bMemoryError\b|Cannot allocate memory|std::bad_alloc|out of memory/i.test(tail)) {
    return { limitHit: "memory", signal, reason: `memory limit of ${bytes(limits.memoryBytes)} exceeded (MemoryError)` };
  }
  if (/File too large|\[Errno 27\]/.test(tail)) {
    return { limitHit: "file_size", signal, reason: `file-size limit of ${bytes(limits.fileBytes)} exceeded (File too large)` };
  }
  if (/BlockingIOError|Resource temporarily unavailable|can't start new thread|\[Errno 11\]/.test(tail)) {
    return { limitHit: "processes", signal, reason: `process limit of ${limits.maxProcesses} reached (fork/thread creation failed)` };
  }
  if (signal === "SIGKILL") {
    // We did not send it: the CPU hard limit (soft + 1 s) or the kernel's OOM killer did.
    if (f.durationMs >= limits.cpuSeconds * 1000) {
      return { limitHit: "cpu", signal, reason: `CPU-time limit of ${limits.cpuSeconds} s exceeded (SIGKILL)` };
    }
    return { limitHit: "memory", signal, reason: "killed by SIGKILL (likely out of memory)" };
  }
  if (signal) return { signal, reason: `killed by signal ${signal}` };
  return { signal: null, reason: `exited with code ${f.exitCode}` };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}
