import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  DEFAULT_PARAMS,
  MIX_FEATURES,
  POLICY_PARAMS_VERSION,
  MIN_STD,
  PolicyParamsError,
  SOURCE_FEATURES,
  applyParamUpdate,
  defaultParams,
  headValue,
  loadPolicyParams,
  parsePolicyParams,
  savePolicyParams,
} from "./policy-params.js";

describe("policy params", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), "policy-params-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("defaults validate and only weigh known features", () => {
    expect(parsePolicyParams(DEFAULT_PARAMS)).toEqual(DEFAULT_PARAMS);
    const known = new Set<string>([...SOURCE_FEATURES]);
    for (const head of [DEFAULT_PARAMS.include, DEFAULT_PARAMS.mix.score]) for (const k of Object.keys(head.weights)) expect(known.has(k)).toBe(true);
    const mixKnown = new Set<string>([...MIX_FEATURES]);
    for (const head of Object.values(DEFAULT_PARAMS.operations)) for (const k of Object.keys(head.weights)) expect(mixKnown.has(k)).toBe(true);
    for (const g of Object.values(DEFAULT_PARAMS.thresholds)) for (const k of Object.keys(g.mean.weights)) expect(mixKnown.has(k)).toBe(true);
  });

  test("defaults encode the intended preferences", () => {
    const w = DEFAULT_PARAMS.include.weights;
    expect(w.relevance_rel!).toBeGreaterThan(0);
    expect(w.schema!).toBeGreaterThan(0);
    for (const bad of ["echo_rate", "empty_answer_rate", "template_leak_rate", "repetition_rate", "dup_rate"]) expect(w[bad]!).toBeLessThan(0);
    // A perfect in-domain source is kept almost surely; an irrelevant, schema-poor one is not.
    const best = headValue(DEFAULT_PARAMS.include, { relevance: 0.15, relevance_rel: 1, schema: 1, answer_shape: 1, input_len_fit: 1, license_open: 1 });
    const worst = headValue(DEFAULT_PARAMS.include, { relevance: 0.03, relevance_rel: 0, schema: 0.3, input_len_fit: 0.3 });
    expect(best).toBeGreaterThan(3);
    expect(worst).toBeLessThan(-1.5);
  });

  test("save then load round-trips exactly", () => {
    const p = defaultParams();
    p.include.weights.relevance = 1.25;
    p.meta = { note: "trained", steps: 12 };
    const file = path.join(dir, "nested", "policy.json");
    savePolicyParams(file, p);
    expect(loadPolicyParams(file)).toEqual(p);
    expect(JSON.parse(readFileSync(file, "utf8")).version).toBe(POLICY_PARAMS_VERSION);
  });

  test("defaultParams returns an independent copy", () => {
    const p = defaultParams();
    p.include.bias = 42;
    expect(DEFAULT_PARAMS.include.bias).not.toBe(42);
  });

  test("errors name the file and the field", () => {
    const bad = path.join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...DEFAULT_PARAMS, mix: { ...DEFAULT_PARAMS.mix, std: -1 } }));
    expect(() => loadPolicyParams(bad)).toThrow(/bad\.json: invalid policy params: mix\.std: std must be > 0/);
    const wrongVersion = path.join(dir, "v9.json");
    writeFileSync(wrongVersion, JSON.stringify({ ...DEFAULT_PARAMS, version: 9 }));
    expect(() => loadPolicyParams(wrongVersion)).toThrow(/version 9 is not supported/);
    const notJson = path.join(dir, "x.json");
    writeFileSync(notJson, "{ nope");
    expect(() => loadPolicyParams(notJson)).toThrow(PolicyParamsError);
    expect(() => loadPolicyParams(path.join(dir, "missing.json"))).toThrow(/cannot read policy params \(ENOENT\)/);
    const swapped = { ...DEFAULT_PARAMS, thresholds: { ...DEFAULT_PARAMS.thresholds, outlier_z: { ...DEFAULT_PARAMS.thresholds.outlier_z, min: 7, max: 2 } } };
    expect(() => parsePolicyParams(swapped)).toThrow(/thresholds\.outlier_z: min must be below max/);
  });

  test("headValue is bias plus weighted features, missing features count 0", () => {
    expect(headValue({ bias: 1, weights: { a: 2, b: -3 } }, { a: 0.5, c: 100 })).toBeCloseTo(2);
  });

  test("applyParamUpdate adds scaled deltas by dotted path, creating new feature weights", () => {
    const p = defaultParams();
    const q = applyParamUpdate(p, { "include.bias": 1, "include.weights.relevance": -2, "include.weights.brand_new": 0.5, "mix.std": -10 }, 0.1);
    expect(q.include.bias).toBeCloseTo(p.include.bias + 0.1);
    expect(q.include.weights.relevance).toBeCloseTo(p.include.weights.relevance! - 0.2);
    expect(q.include.weights.brand_new).toBeCloseTo(0.05);
    expect(q.mix.std).toBe(MIN_STD);
    expect(p).toEqual(DEFAULT_PARAMS); // untouched
    expect(parsePolicyParams(q)).toEqual(q);
    expect(() => applyParamUpdate(p, { "include.nope": 1 })).toThrow(/no number at 'include\.nope'/);
    expect(() => applyParamUpdate(p, { "nope.bias": 1 })).toThrow(/no 'nope\.bias'/);
    expect(() => applyParamUpdate(p, { "include.bias": NaN })).toThrow(/not finite/);
  });
});
