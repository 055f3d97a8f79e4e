/**
 * Seeded randomness for the planner. Every decision draws from its own stream, derived from the
 * seed and the decision's name, so adding or removing one source does not reshuffle the draws of
 * the others (common random numbers keep GRPO group comparisons fair).
 */

import { seededRandom } from "../../src/data/sample.js";

/** 32-bit FNV-1a of a string, then an avalanche step so nearby seeds diverge. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32 uniforms in [0, 1): the project's one seeded generator (src/data/sample.ts). */
export const mulberry32 = (seed: number): (() => number) => seededRandom(seed);

export interface DecisionRng {
  uniform(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

/** The random stream of one named decision under one seed. */
export function decisionRng(seed: number | string, name: string): DecisionRng {
  const next = mulberry32(hash32(`${seed}\u0000${name}`));
  return {
    uniform: next,
    normal: () => {
      const u1 = Math.max(next(), 1e-12);
      const u2 = next();
      return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
  };
}
