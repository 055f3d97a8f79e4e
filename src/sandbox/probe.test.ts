/**
 * The probe tries every feature for real (bounded scripts only), so these tests run python3
 * through it; they check that what it reports is consistent and loud when something is missing.
 */
import { readdirSync } from "node:fs";
import { jest } from "@jest/globals";
import { describeIsolation, probeIsolation, resetIsolationProbeCache } from "./probe.js";
import type { IsolationReport } from "./types.js";

const clean: IsolationReport = {
  kind: "local",
  mechanism: "bubblewrap",
  network: false,
  readOnlyRoot: true,
  processLimit: "cgroup",
  warnings: [],
  user: "uid 65534",
};

describe("describeIsolation", () => {
  test("one line, features first", () => {
    expect(describeIsolation(clean)).toBe("local sandbox via bubblewrap: no network, read-only root, process limit: cgroup, runs as uid 65534");
  });
  test("missing features are shouted and warnings appended", () => {
    const s = describeIsolation({ ...clean, mechanism: "none", network: true, readOnlyRoot: false, processLimit: "none", warnings: ["NO ISOLATION: x", "y"] });
    expect(s).toContain("NETWORK ALLOWED");
    expect(s).toContain("NOT read-only");
    expect(s).toContain("NO process limit");
    expect(s).toMatch(/2 warning\(s\): NO ISOLATION: x; y$/);
    expect(s.includes("\n")).toBe(false);
  });
  test("e2b", () => {
    expect(describeIsolation({ kind: "e2b", mechanism: "e2b microVM", network: false, readOnlyRoot: false, processLimit: "remote", warnings: [] })).toMatch(
      /^e2b cloud sandbox \(e2b microVM\): no network/,
    );
  });
});

describe("probeIsolation (real)", () => {
  afterEach(() => resetIsolationProbeCache());

  test("reports a consistent plan and caches it", async () => {
    const t0 = Date.now();
    const plan = await probeIsolation({ quiet: true });
    const first = Date.now() - t0;
    const r = plan.report;
    console.log(`probe: ${describeIsolation(r)} (${first} ms)`);
    expect(["bubblewrap", "unshare", "none"]).toContain(plan.mechanism);
    expect(r.mechanism).toBe(plan.mechanism);
    expect(r.processLimit).toBe(plan.processLimit);
    if (plan.mechanism !== "none") expect(r.network).toBe(false);
    else expect(r.warnings.join(" ")).toMatch(/NO ISOLATION/);
    if (plan.processLimit === "none") expect(r.warnings.join(" ")).toMatch(/NO PROCESS LIMIT/);
    if (plan.processLimit === "cgroup") expect(plan.cgroupParent).toBeTruthy();
    if (plan.user) expect(r.user).toBe(`uid ${plan.user.uid}`);
    expect(plan.python.startsWith("/")).toBe(true);
    // the fork probe leaves no cgroup behind
    if (plan.cgroupParent) expect(readdirSync(plan.cgroupParent).filter((n) => n.startsWith(`datachef-${process.pid}-`))).toEqual([]);

    const again = await probeIsolation({ quiet: true });
    expect(again).toBe(plan);
    // sandbox options that do not change isolation reuse the same probe
    const withLimits = await probeIsolation({ quiet: true, limits: { wallMs: 5 }, keep: true } as Parameters<typeof probeIsolation>[0]);
    expect(withLimits).toBe(plan);
  });

  test("forcing no isolation and no process limit is loud, on stderr and in the report", async () => {
    const writes: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    try {
      const plan = await probeIsolation({ isolation: "none", processLimit: "none" });
      expect(plan.mechanism).toBe("none");
      expect(plan.report.network).toBe(true);
      expect(plan.report.processLimit).toBe("none");
      expect(plan.report.warnings.some((w) => w.startsWith("NO ISOLATION"))).toBe(true);
      expect(plan.report.warnings.some((w) => w.startsWith("NO PROCESS LIMIT"))).toBe(true);
      expect(writes.join("")).toMatch(/\[datachef sandbox\] WARNING: NO ISOLATION/);
    } finally {
      spy.mockRestore();
    }
  });

  test("a preferred interpreter that is not there is not used", async () => {
    const plan = await probeIsolation({ quiet: true, python: "/nonexistent/python3" });
    expect(plan.python).not.toBe("/nonexistent/python3");
  });

  test("as root, scripts run as an unprivileged uid when setpriv exists", async () => {
    if (process.getuid?.() !== 0) return console.warn("SKIPPED: not root, no uid drop to check");
    const plan = await probeIsolation({ quiet: true });
    if (!plan.tools.setpriv) {
      expect(plan.report.warnings.join(" ")).toMatch(/setpriv not found/);
      return;
    }
    expect(plan.user).toEqual({ uid: 65534, gid: 65534 });
  });
});
