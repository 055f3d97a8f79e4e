/**
 * One Sandbox interface for every place generated code runs: LocalSandbox (isolated python3)
 * and E2BSandbox (cloud). Generated code never runs anywhere else.
 */

export interface RunLimits {
  /** Wall-clock limit; the whole process group is killed when it passes. */
  wallMs: number;
  /** CPU-time limit (RLIMIT_CPU). */
  cpuSeconds: number;
  /** Address-space limit (RLIMIT_AS). */
  memoryBytes: number;
  /** Captured stdout/stderr, each; the process is killed once exceeded. */
  outputBytes: number;
  /** Largest file the script may write (RLIMIT_FSIZE). */
  fileBytes: number;
  /** Process/thread count limit (pids cgroup or RLIMIT_NPROC under a dropped uid). */
  maxProcesses: number;
}

export const DEFAULT_LIMITS: RunLimits = {
  wallMs: 300_000,
  cpuSeconds: 300,
  memoryBytes: 2 * 1024 ** 3,
  outputBytes: 1024 ** 2,
  fileBytes: 2 * 1024 ** 3,
  maxProcesses: 64,
};

export type LimitHit = "wall" | "cpu" | "memory" | "output" | "file_size" | "processes";

export interface RunResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Which limit ended the run, when one did (best effort from exit status and stderr). */
  limitHit?: LimitHit;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  durationMs: number;
  /** One readable line on how the run ended, e.g. "wall-time limit of 2 s exceeded; ...". */
  reason?: string;
  /** The sandbox itself failed (could not start the command, create its cgroup, ...). */
  sandboxError?: string;
}

/** What isolation a sandbox really has; missing features are warnings shown in reports. */
export interface IsolationReport {
  kind: "local" | "e2b";
  /** e.g. "bubblewrap", "unshare", "none", "e2b". */
  mechanism: string;
  network: boolean;
  readOnlyRoot: boolean;
  processLimit: "cgroup" | "rlimit-nproc" | "none" | "remote";
  warnings: string[];
  /** Who scripts run as, e.g. "uid 65534" or "root". */
  user?: string;
  /** The interpreter argv[0] "python3" maps to. */
  python?: string;
}

export interface RunOptions {
  limits?: Partial<RunLimits>;
  env?: Record<string, string>;
  /** Working folder relative to the sandbox root (default: the root). */
  cwd?: string;
}

export interface Sandbox {
  readonly kind: "local" | "e2b";
  /** Stable id, safe to keep in graph state (never keep the object itself). */
  readonly id: string;
  isolation(): IsolationReport;
  /** Writes a file under the sandbox root (parents created). */
  writeFile(relPath: string, content: string | Uint8Array): Promise<void>;
  /** Copies a host file in; read-only inside when `readOnly`. */
  stageFile(hostPath: string, relPath: string, opts?: { readOnly?: boolean }): Promise<void>;
  readFile(relPath: string): Promise<Uint8Array>;
  exists(relPath: string): Promise<boolean>;
  /** Runs argv (argv[0] "python3" means the sandbox's interpreter) under the limits. */
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
  /** Frees every resource; safe to call twice. */
  close(): Promise<void>;
}
