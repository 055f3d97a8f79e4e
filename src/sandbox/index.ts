/**
 * The sandbox factory: E2B when chosen or when E2B_API_KEY is set ("auto"), else local.
 * Callers hold a Sandbox only inside one step and close it in `finally` (or use withSandbox).
 */
import { E2BSandbox, type E2BSandboxOptions } from "./e2b.js";
import { LocalSandbox, type LocalSandboxOptions } from "./local.js";
import type { RunLimits, Sandbox } from "./types.js";

export type SandboxChoice = "local" | "e2b" | "auto";

export interface CreateSandboxOptions {
  kind?: SandboxChoice;
  /** Default limits for every run (each run may override). */
  limits?: Partial<RunLimits>;
  local?: Omit<LocalSandboxOptions, "limits">;
  e2b?: Omit<E2BSandboxOptions, "limits">;
  /** Where "auto" looks for E2B_API_KEY (default process.env). */
  env?: Record<string, string | undefined>;
}

/** Which backend `kind` means here and now. */
export function resolveSandboxKind(kind: SandboxChoice = "auto", env: Record<string, string | undefined> = process.env): "local" | "e2b" {
  if (kind !== "auto") return kind;
  return env.E2B_API_KEY ? "e2b" : "local";
}

export async function createSandbox(opts: CreateSandboxOptions = {}): Promise<Sandbox> {
  const env = opts.env ?? process.env;
  const kind = resolveSandboxKind(opts.kind, env);
  if (kind === "e2b") {
    return E2BSandbox.create({ apiKey: env.E2B_API_KEY, ...opts.e2b, limits: opts.limits });
  }
  return LocalSandbox.create({ ...opts.local, limits: opts.limits });
}

/** Runs fn with a fresh sandbox and always closes it, also when fn throws. */
export async function withSandbox<T>(opts: CreateSandboxOptions, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await createSandbox(opts);
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

export { LocalSandbox, type LocalSandboxOptions, type LocalRunOptions, type BindPath } from "./local.js";
export { E2BSandbox, type E2BSandboxOptions, type E2BSdk, type E2BSandboxHandle } from "./e2b.js";
export { describeIsolation, probeIsolation, resetIsolationProbeCache, type ProbeOptions } from "./probe.js";
export * from "./types.js";
