/**
 * Prompt templates live as text files in prompts/ (reviewable, editable without touching code).
 * `{{name}}` is replaced by vars.name; a placeholder with no value is an error, because a prompt
 * that silently lost its task description is worse than a crash in a test.
 *
 * `{{> other}}` includes prompts/other.md (shared rules, the task block), filled with the same vars.
 * A template may hold a system and a user part, each introduced by a line `<<<system>>>` or
 * `<<<user>>>`; `renderChatPrompt` returns both.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

export const PROMPTS_DIR = fileURLToPath(new URL("../../prompts/", import.meta.url));

export class PromptError extends Error {
  override name = "PromptError";
}

export type PromptVars = Record<string, string | number | boolean>;

const cache = new Map<string, string>();

/** The raw template `prompts/<name>.md`. */
export function loadPrompt(name: string, dir = PROMPTS_DIR): string {
  if (!/^[a-z0-9_.-]+$/i.test(name)) throw new PromptError(`prompt name '${name}' may only use letters, digits, '.', '_' and '-'`);
  const file = path.join(dir, `${name}.md`);
  let text = cache.get(file);
  if (text === undefined) {
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new PromptError(`prompt '${name}': cannot read ${file}: ${(e as Error).message}`);
    }
    cache.set(file, text);
  }
  return text;
}

/** Placeholder names of a template, in order of first appearance. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g)].map((m) => m[1]!))];
}

/** Fills `{{var}}` placeholders in one pass (values are never re-scanned). */
export function fillTemplate(template: string, vars: PromptVars, name = "<inline>"): string {
  const missing = placeholders(template).filter((p) => vars[p] === undefined || vars[p] === null);
  if (missing.length) throw new PromptError(`prompt '${name}': no value for ${missing.map((m) => `{{${m}}}`).join(", ")}`);
  return template.replace(/\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g, (_, k: string) => String(vars[k]));
}

/** The template with its `{{> partial}}` includes expanded (at most 5 levels deep). */
export function expandIncludes(template: string, dir = PROMPTS_DIR, depth = 0): string {
  return template.replace(/\{\{>\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_, inc: string) => {
    if (depth >= 5) throw new PromptError(`prompt include '${inc}': includes nested too deeply (a cycle?)`);
    return expandIncludes(loadPrompt(inc, dir).trim(), dir, depth + 1);
  });
}

export function renderPrompt(name: string, vars: PromptVars, dir = PROMPTS_DIR): string {
  return fillTemplate(expandIncludes(loadPrompt(name, dir), dir), vars, name);
}

/** A rendered template split into its system and user parts. */
export function renderChatPrompt(name: string, vars: PromptVars, dir = PROMPTS_DIR): { system: string; user: string } {
  const text = renderPrompt(name, vars, dir);
  const parts = { system: "", user: "" };
  const re = /^<<<(system|user)>>>[ \t]*$/gm;
  const marks = [...text.matchAll(re)];
  if (!marks.length) return { system: "", user: text.trim() };
  marks.forEach((m, i) => {
    const start = m.index! + m[0].length;
    const end = i + 1 < marks.length ? marks[i + 1]!.index! : text.length;
    parts[m[1] as "system" | "user"] += text.slice(start, end).trim();
  });
  return parts;
}
