/**
 * The Python recipe toolkit as the TS side sees it: where the file is (to upload it into a
 * sandbox), its text, and a compact API reference generated from it for LLM prompts, so the
 * prompt can never drift from the code.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const TOOLKIT_MODULE = "datachef_toolkit";
export const TOOLKIT_FILENAME = `${TOOLKIT_MODULE}.py`;
export const TOOLKIT_PATH = fileURLToPath(new URL(`./${TOOLKIT_FILENAME}`, import.meta.url));

let cachedSource: string | undefined;

/** Text of datachef_toolkit.py (read once). */
export function toolkitSource(): string {
  cachedSource ??= readFileSync(TOOLKIT_PATH, "utf8");
  return cachedSource;
}

export interface ToolkitFunction {
  name: string;
  /** Parameter list as written, whitespace collapsed, without annotations' line breaks. */
  signature: string;
  /** First sentence/line of the docstring. */
  summary: string;
}

export interface ToolkitClass {
  name: string;
  bases: string;
  summary: string;
}

/** Top-level public `def`s (name not starting with "_") with their first docstring line. */
export function toolkitFunctions(source: string = toolkitSource()): ToolkitFunction[] {
  const out: ToolkitFunction[] = [];
  const lines = source.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^def ([A-Za-z]\w*)\(/.exec(lines[i]!);
    if (!m) continue;
    // The signature may span lines: collect until the parenthesis that opened it closes.
    let text = lines[i]!.slice(m[0].length);
    let j = i;
    while (depthAfter(text) > 0 && j + 1 < lines.length) text += " " + lines[++j]!.trim();
    const close = closingParen(text);
    const signature = text.slice(0, close).replace(/\s+/g, " ").replace(/,\s*$/, "").trim();
    out.push({ name: m[1]!, signature, summary: docstringFirstLine(lines, j + 1) });
    i = j;
  }
  return out;
}

/** Top-level public classes (the exceptions a recipe may catch). */
export function toolkitClasses(source: string = toolkitSource()): ToolkitClass[] {
  const out: ToolkitClass[] = [];
  const lines = source.split("\n");
  lines.forEach((line, i) => {
    const m = /^class ([A-Za-z]\w*)\(([^)]*)\):/.exec(line);
    if (m) out.push({ name: m[1]!, bases: m[2]!.trim(), summary: docstringFirstLine(lines, i + 1) });
  });
  return out;
}

/** The module docstring's "Example:" block, dedented. */
export function toolkitExample(source: string = toolkitSource()): string[] {
  const doc = /^"""([\s\S]*?)"""/.exec(source)?.[1] ?? "";
  const lines = doc.split("\n");
  const start = lines.findIndex((l) => l.trim() === "Example:");
  if (start < 0) return [];
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.trim() === "") break;
    body.push(l.replace(/^ {4}/, ""));
  }
  return body;
}

/**
 * Compact API reference (well under 80 lines) for prompts: one line per public function, the
 * exceptions, the environment and the example from the module docstring.
 */
export function toolkitReference(source: string = toolkitSource()): string {
  const fns = toolkitFunctions(source).filter((f) => !HIDDEN.has(f.name));
  const out = [
    `# ${TOOLKIT_MODULE} (stdlib only): \`import ${TOOLKIT_MODULE} as dc\``,
    "# Sources: env DATACHEF_SOURCES/<source_id>.jsonl (read-only). Output: env DATACHEF_OUTPUT (output/data.jsonl).",
    "# Records from iter_source carry _source; keys starting with _ never reach data.jsonl.",
    "# Every operation takes step='name' and logs {step,in,out} to output/steps.jsonl.",
  ];
  for (const f of fns) {
    const call = `dc.${f.name}(${f.signature})`;
    out.push(f.summary ? `${call}  # ${f.summary}` : call);
  }
  const classes = toolkitClasses(source);
  if (classes.length) out.push(`# Exceptions: ${classes.map((c) => c.name).join(", ")}`);
  const example = toolkitExample(source);
  if (example.length) out.push("# Example:", ...example.map((l) => `#   ${l}`));
  return out.join("\n");
}

/** Helpers a recipe never needs (kept out of prompts to save tokens). */
const HIDDEN = new Set(["output_path", "sources_dir"]);

function depthAfter(text: string): number {
  let depth = 1; // the "(" matched by the def regex
  for (const ch of text) {
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    if (depth === 0) return 0;
  }
  return depth;
}

function closingParen(text: string): number {
  let depth = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    if (depth === 0) return i;
  }
  return text.length;
}

function docstringFirstLine(lines: string[], from: number): string {
  const first = lines[from]?.trim() ?? "";
  const m = /^(?:[rub]{0,2})("""|''')(.*)$/.exec(first);
  if (!m) return "";
  let text = m[2]!;
  // A summary may wrap: take lines up to the end of the first sentence or the docstring.
  for (let k = from + 1; !text.includes(m[1]!) && !/[.:]\s*$/.test(text) && k < lines.length; k++) {
    const next = lines[k]!.trim();
    if (next === "") break;
    text += " " + next;
  }
  text = text.split(m[1]!)[0]!.trim();
  const sentence = /^(.*?\.)(\s|$)/.exec(text);
  return (sentence ? sentence[1]! : text).replace(/\s+/g, " ");
}
