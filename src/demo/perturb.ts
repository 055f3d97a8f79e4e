/**
 * Text perturbations for the "dirty" sources: near-duplicates (formatting-only changes that a
 * normalised-text dedup must catch) and slight rewordings (what a leaked benchmark item looks
 * like after someone copied it into another site).
 */
import type { Rng } from "./rng.js";

/** Same tokens, different surface: case, spacing, punctuation, a label prefix. */
export function nearDuplicate(r: Rng, text: string): string {
  switch (r.int(0, 5)) {
    case 0:
      return text.toLowerCase();
    case 1:
      return text.replace(/ /g, () => (r.chance(0.15) ? "  " : " "));
    case 2:
      return `${text.trim()}\n`;
    case 3:
      return text.replace(/[?.!]\s*$/, "");
    case 4:
      return text.toUpperCase();
    default:
      return ` ${text.replace(/\?\s*$/, " ?")}`;
  }
}

const SWAPS: readonly (readonly [RegExp, string])[] = [
  [/\bHow many\b/, "Calculate how many"],
  [/\bHow much\b/, "Work out how much"],
  [/\bbuys\b/, "purchases"],
  [/\bWhich\b/, "What"],
  [/\bPlease\b/, "Kindly"],
  [/\bI was\b/, "I've been"],
  [/\bdoes\b/, "does exactly"],
  [/\bthe\b/, "that"],
];

const PREFIXES = ["", "", "Question: ", "Q: ", "Solve this: ", "Can someone help with this? ", "From the practice sheet: "];

/** A light rewording that keeps most of the original word sequence. */
export function rewordSlightly(r: Rng, text: string): string {
  let out = text;
  for (const [re, to] of r.sample(SWAPS, 2)) out = out.replace(re, to);
  if (r.chance(0.3)) out = out.replace(/\s+/g, " ");
  return r.pick(PREFIXES) + out;
}
