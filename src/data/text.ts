/**
 * Text normalisation shared by dedup, contamination, relevance and the judge. The Python toolkit
 * (src/toolkit/datachef_toolkit.py) implements the same rules; a cross-language test keeps them equal.
 */
import { createHash } from "node:crypto";

const TOKEN = /[\p{L}\p{N}]+/gu;

/** Lower-cased word tokens after NFKC folding (punctuation and whitespace dropped). */
export function tokens(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().match(TOKEN) ?? [];
}

/** Canonical form for exact dedup: tokens joined by single spaces. */
export function normalizeText(text: string): string {
  return tokens(text).join(" ");
}

/** 16 hex chars of SHA-1: the fingerprint of a normalised string or n-gram. */
export function textHash(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex").slice(0, 16);
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
