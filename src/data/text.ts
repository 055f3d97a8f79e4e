/**
 * Text normalisation shared by dedup, contamination, relevance and the judge. The Python toolkit
 * (src/toolkit/datachef_toolkit.py) implements the same rules; a cross-language test keeps them equal.
 */
import * as crypto from "node:crypto";

const TOKEN = /[\p{L}\p{N}]+/gu;

/** Lower-cased word tokens after NFKC folding (punctuation and whitespace dropped). */
export function tokens(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(TOKEN) ?? [];
}

/** Canonical form for exact dedup: tokens joined by single spaces. */
export function normalizeText(text: string): string {
  return tokens(text).join(" ");
}

// One-shot crypto.hash (Node >= 20.12) is about twice as fast as createHash for short strings.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: "hex") => string }).hash;

/** 16 hex chars of SHA-1: the fingerprint of a normalised string or n-gram. */
export function textHash(text: string): string {
  return oneShot ? oneShot("sha1", text, "hex").slice(0, 16) : crypto.createHash("sha1").update(text, "utf8").digest("hex").slice(0, 16);
}

/** Every string leaf of a JSON value, depth first. */
export function stringLeaves(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) stringLeaves(v, out);
  else if (value && typeof value === "object") for (const v of Object.values(value)) stringLeaves(v, out);
  return out;
}

/** All string content of a record, newline-joined. */
export function recordText(value: unknown): string {
  return stringLeaves(value).join("\n");
}
