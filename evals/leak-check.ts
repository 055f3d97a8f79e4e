/**
 * An independent contamination check for evaluations (own tokeniser, no hashing; not the
 * verifier's code). The implementation lives in src/eval/leak.ts so `datachef eval` uses it too.
 */
export { leakCheck, leakCheckWith, buildLeakIndex, leakOf, type LeakCheck, type LeakIndex } from "../src/eval/leak.js";
