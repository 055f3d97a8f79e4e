/**
 * plan.md: the plan in the contracts.md format, and a forgiving parser for it.
 *
 *   ## Training Data            a ```json list of {dataset_id, split, sample_num, reason}
 *   ## Data Processing Workflow prose
 *   ## Operations               (extension) a ```json object of Plan["operations"]
 *   ## Rejected Sources         (extension) "- `id`: reason" lines
 *
 * The parser also reads plans written by LLMs, so it accepts heading variants, bare JSON, trailing
 * commas, comments and common key aliases (with warnings), and reports what is wrong precisely
 * enough to be fed back to the model.
 */
import type { SourceProfile } from "../../src/data/types.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { LoadedTask, TaskSpec } from "../../src/task/spec.js";
import type { Plan } from "./plan.js";

export interface PlanMdContext {
  task?: TaskSpec | LoadedTask;
  contract?: TaskContract;
  profiles?: SourceProfile[];
}

export const DEFAULT_OPERATIONS: Plan["operations"] = {
  dedup_exact: true,
  dedup_near: false,
  near_threshold: 0.85,
  filter_outliers: false,
  outlier_z: 3,
  decontaminate: true,
  min_answer_chars: 1,
};

function specOf(task: TaskSpec | LoadedTask | undefined): TaskSpec | undefined {
  if (!task) return undefined;
  return "spec" in task ? task.spec : task;
}

/** Headings inside the workflow would end its section when parsed back: escape them. */
function escapeHeadings(text: string): string {
  return text.replace(/^(#{1,6}\s)/gm, "\\$1");
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

export function renderPlanMd(plan: Plan, ctx: PlanMdContext = {}): string {
  const spec = specOf(ctx.task);
  const out: string[] = [];
  out.push(`# Data recipe plan${spec ? `: ${spec.id}` : ""}`, "");
  if (spec) {
    out.push(spec.instruction, "");
    const bench = spec.benchmark.name ?? spec.benchmark.id;
    out.push(`Benchmark: ${bench}${spec.benchmark.metric ? ` (metric: ${spec.benchmark.metric})` : ""}.`);
  }
  if (ctx.contract) out.push(`Answer format: ${ctx.contract.describe}.`);
  if (ctx.profiles?.length) {
    const used = plan.training_data.reduce((s, t) => s + t.sample_num, 0);
    out.push(`Sources considered: ${ctx.profiles.length}; selected: ${plan.training_data.length}; records planned: ${used}.`);
  }
  if (spec || ctx.contract || ctx.profiles?.length) out.push("");
  out.push("## Training Data", "", "```json");
  if (!plan.training_data.length) out.push("[]");
  else {
    out.push("[");
    plan.training_data.forEach((t, i) => {
      const entry = { dataset_id: t.dataset_id, split: t.split, sample_num: t.sample_num, reason: t.reason };
      out.push(`  ${JSON.stringify(entry)}${i < plan.training_data.length - 1 ? "," : ""}`);
    });
    out.push("]");
  }
  out.push("```", "");
  out.push("## Data Processing Workflow", "", escapeHeadings(plan.workflow.trim()), "");
  out.push("## Operations", "", "```json", JSON.stringify(plan.operations, null, 2), "```", "");
  out.push("## Rejected Sources", "");
  if (!plan.rejected.length) out.push("None.");
  else for (const r of plan.rejected) out.push(`- \`${r.dataset_id}\`: ${oneLine(r.reason)}`);
  out.push("");
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface ParsePlanOptions {
  /** Source ids of the task: any other dataset_id is an error. */
  knownSources?: string[];
  /** Record budget: a larger sample_num total is an error. */
  maxRecords?: number;
}

export interface PlanParseResult {
  ok: boolean;
  /** Set when ok. */
  plan?: Plan;
  /** Whatever could be read, also when not ok. */
  partial: Partial<Plan>;
  /** Each names the section or field and what is wrong with it. */
  errors: string[];
  warnings: string[];
}

type SectionKind = "training" | "workflow" | "operations" | "rejected" | "other";

interface Section {
  kind: SectionKind;
  title: string;
  /** 1-based line of the heading (0 for text before any heading). */
  line: number;
  lines: string[];
}

function sectionKind(title: string): SectionKind {
  const t = title.toLowerCase().replace(/[^a-z ]/g, " ").replace(/\s+/g, " ").trim();
  if (/reject|excluded|dropped|not used|discarded/.test(t)) return "rejected";
  if (/operation|parameters|settings/.test(t)) return "operations";
  if (/workflow|processing|pipeline|procedure/.test(t)) return "workflow";
  if (/training data|training set|data selection|datasets?( used)?$|data sources|source selection|data mix/.test(t)) return "training";
  return "other";
}

const FENCE = /^\s*(```|~~~)/;

/** Splits markdown into sections by headings, ignoring '#' lines inside code fences. */
function sections(text: string): Section[] {
  const out: Section[] = [{ kind: "other", title: "", line: 0, lines: [] }];
  let fence: string | undefined;
  text.split("\n").forEach((line, i) => {
    const f = FENCE.exec(line);
    if (f) fence = fence ? (fence === f[1] ? undefined : fence) : f[1];
    const h = fence ? null : /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) out.push({ kind: sectionKind(h[1]!), title: h[1]!, line: i + 1, lines: [] });
    else out.at(-1)!.lines.push(line);
  });
  return out;
}

interface CodeBlock {
  lang: string;
  body: string;
}

function codeBlocks(lines: string[]): CodeBlock[] {
  const out: CodeBlock[] = [];
  let cur: { lang: string; body: string[]; fence: string } | undefined;
  for (const line of lines) {
    const f = /^\s*(```|~~~)\s*([\w+-]*)/.exec(line);
    if (!cur && f) cur = { lang: f[2]!.toLowerCase(), body: [], fence: f[1]! };
    else if (cur && f && f[1] === cur.fence && !f[2]) {
      out.push({ lang: cur.lang, body: cur.body.join("\n") });
      cur = undefined;
    } else if (cur) cur.body.push(line);
  }
  if (cur) out.push({ lang: cur.lang, body: cur.body.join("\n") }); // unclosed fence: take what there is
  return out;
}

/** Text outside code fences. */
function prose(lines: string[]): string {
  const out: string[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const f = FENCE.exec(line);
    if (f) {
      fence = fence ? (fence === f[1] ? undefined : fence) : f[1];
      continue;
    }
    if (!fence) out.push(line);
  }
  return out.join("\n");
}

/** Removes // and /* *\/ comments and trailing commas outside strings; straightens smart quotes. */
function relaxJson(text: string): string {
  const s = text.replace(/[“”]/g, '"');
  let out = "";
  let inStr = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (inStr) {
      out += c;
      if (c === "\\") out += s[++i] ?? "";
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') {
      inStr = true;
      out += c;
    } else if (c === "/" && s[i + 1] === "/") {
      while (i < s.length && s[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && s[i + 1] === "*") {
      const end = s.indexOf("*/", i + 2);
      i = end < 0 ? s.length : end + 1;
    } else out += c;
  }
  return out.replace(/,(\s*[\]}])/g, "$1");
}

/** The first balanced JSON array or object in free text (for JSON written without a fence). */
function bareJson(text: string, open: "[" | "{"): string | undefined {
  const close = open === "[" ? "]" : "}";
  const start = text.indexOf(open);
  if (start < 0) return undefined;
  let depth = 0;
  let inStr = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return text.slice(start, i + 1);
  }
  return undefined;
}

function parseJsonLenient(text: string): { value?: unknown; error?: string; relaxed?: boolean } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    try {
      return { value: JSON.parse(relaxJson(text)), relaxed: true };
    } catch {
      const msg = (e as Error).message;
      const pos = /position (\d+)/.exec(msg);
      const line = pos ? text.slice(0, Number(pos[1])).split("\n").length : undefined;
      return { error: `${msg}${line ? ` (line ${line} of the block)` : ""}` };
    }
  }
}

const ID_KEYS = ["dataset_id", "dataset", "id", "source", "source_id", "name", "dataset_name"];
const NUM_KEYS = ["sample_num", "num_samples", "samples", "sample_size", "n", "count", "num", "number", "records", "size"];

function pick(obj: Record<string, unknown>, keys: string[]): { key?: string; value?: unknown } {
  for (const k of keys) if (k in obj) return { key: k, value: obj[k] };
  return {};
}

function training(section: Section | undefined, all: Section[], errors: string[], warnings: string[], opts: ParsePlanOptions): Plan["training_data"] | undefined {
  let raw: string | undefined;
  let where = "## Training Data";
  if (section) {
    const blocks = codeBlocks(section.lines);
    const block = blocks.find((b) => b.lang === "json") ?? blocks.find((b) => /^\s*[[{]/.test(b.body));
    raw = block?.body ?? bareJson(prose(section.lines), "[");
    if (raw === undefined) {
      errors.push(`${where}: no JSON list found; expected a \`\`\`json block with a list of {dataset_id, split, sample_num, reason}`);
      return undefined;
    }
  } else {
    // No heading: accept a JSON list that is clearly the training data.
    for (const s of all) {
      for (const b of codeBlocks(s.lines)) {
        if (/"(dataset_id|sample_num)"/.test(b.body) && /^\s*\[/.test(b.body)) {
          raw = b.body;
          where = `JSON list under '${s.title || "(top)"}'`;
          warnings.push(`no '## Training Data' heading; read the training data from the ${where}`);
          break;
        }
      }
      if (raw !== undefined) break;
    }
    if (raw === undefined) {
      errors.push("missing '## Training Data' section with a ```json list of {dataset_id, split, sample_num, reason}");
      return undefined;
    }
  }
  const parsed = parseJsonLenient(raw);
  if (parsed.error !== undefined) {
    errors.push(`${where}: the JSON list is not valid JSON: ${parsed.error}`);
    return undefined;
  }
  if (parsed.relaxed) warnings.push(`${where}: JSON had comments or trailing commas (accepted)`);
  let list = parsed.value;
  if (list && typeof list === "object" && !Array.isArray(list)) {
    const inner = pick(list as Record<string, unknown>, ["training_data", "data", "sources", "datasets"]);
    if (Array.isArray(inner.value)) {
      warnings.push(`${where}: the list was wrapped in an object under '${inner.key}' (accepted)`);
      list = inner.value;
    }
  }
  if (!Array.isArray(list)) {
    errors.push(`${where}: expected a JSON list of {dataset_id, split, sample_num, reason}, got ${typeName(list)}`);
    return undefined;
  }
  const out: Plan["training_data"] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const at = `training_data[${i}]`;
    if (!item || typeof item !== "object" || Array.isArray(item)) {
      errors.push(`${at}: expected an object {dataset_id, split, sample_num, reason}, got ${typeName(item)}`);
      return;
    }
    const obj = item as Record<string, unknown>;
    const id = pick(obj, ID_KEYS);
    if (typeof id.value !== "string" || !id.value.trim()) {
      errors.push(`${at}.dataset_id: missing or not a non-empty string${id.key ? ` (got ${JSON.stringify(id.value)})` : ""}`);
      return;
    }
    if (id.key !== "dataset_id") warnings.push(`${at}: read dataset_id from '${id.key}'`);
    const datasetId = id.value.trim();
    if (seen.has(datasetId)) errors.push(`${at}.dataset_id: '${datasetId}' is listed more than once`);
    seen.add(datasetId);
    if (opts.knownSources && !opts.knownSources.includes(datasetId))
      errors.push(`${at}.dataset_id: '${datasetId}' is not a source of this task (known: ${opts.knownSources.join(", ")})`);
    let split = obj.split;
    if (split === undefined || split === null || split === "") {
      warnings.push(`${at}.split: missing; assuming 'train'`);
      split = "train";
    } else if (typeof split !== "string") {
      errors.push(`${at}.split: expected a string, got ${typeName(split)}`);
      split = "train";
    }
    const num = pick(obj, NUM_KEYS);
    if (num.key && num.key !== "sample_num") warnings.push(`${at}: read sample_num from '${num.key}'`);
    let n = num.value;
    if (typeof n === "string" && /^\s*\d[\d,_ ]*\s*$/.test(n)) {
      warnings.push(`${at}.sample_num: the number was written as a string (${JSON.stringify(n)})`);
      n = Number(n.replace(/[,_ ]/g, ""));
    }
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
      errors.push(`${at}.sample_num: expected a positive integer, got ${num.key ? JSON.stringify(num.value) : "nothing"}`);
      return;
    }
    let reason = obj.reason ?? obj.rationale ?? obj.why;
    if (typeof reason !== "string" || !reason.trim()) {
      warnings.push(`${at}.reason: missing`);
      reason = "";
    }
    out.push({ dataset_id: datasetId, split: split as string, sample_num: n, reason: (reason as string).trim() });
  });
  if (opts.maxRecords !== undefined) {
    const total = out.reduce((s, t) => s + t.sample_num, 0);
    if (total > opts.maxRecords) errors.push(`${where}: sample_num total ${total} exceeds the budget of ${opts.maxRecords} records`);
  }
  return out;
}

const OP_TYPES: Record<keyof Plan["operations"], "boolean" | "number"> = {
  dedup_exact: "boolean",
  dedup_near: "boolean",
  near_threshold: "number",
  filter_outliers: "boolean",
  outlier_z: "number",
  decontaminate: "boolean",
  min_answer_chars: "number",
  max_answer_chars: "number",
};

function looksLikeOperations(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).filter((k) => k in OP_TYPES).length >= 2;
}

function operations(section: Section | undefined, all: Section[], errors: string[], warnings: string[]): Plan["operations"] {
  let obj: Record<string, unknown> | undefined;
  const where = "## Operations";
  const fromBlocks = (lines: string[]) => {
    for (const b of codeBlocks(lines)) {
      const p = parseJsonLenient(b.body);
      if (p.error === undefined) {
        const v = p.value as Record<string, unknown> | undefined;
        const inner = v && typeof v === "object" && "operations" in v ? v.operations : v;
        if (looksLikeOperations(inner)) return inner;
      }
    }
    return undefined;
  };
  if (section) {
    const blocks = codeBlocks(section.lines);
    const raw = blocks[0]?.body ?? bareJson(prose(section.lines), "{");
    if (raw === undefined) errors.push(`${where}: no JSON object found; expected a \`\`\`json block with the operations`);
    else {
      const p = parseJsonLenient(raw);
      if (p.error !== undefined) errors.push(`${where}: not valid JSON: ${p.error}`);
      else if (!p.value || typeof p.value !== "object" || Array.isArray(p.value)) errors.push(`${where}: expected a JSON object, got ${typeName(p.value)}`);
      else obj = p.value as Record<string, unknown>;
    }
  } else {
    obj = all.filter((s) => s.kind !== "training").map((s) => fromBlocks(s.lines)).find(Boolean);
    if (!obj) {
      warnings.push(`no '${where}' section; default operations assumed`);
      return { ...DEFAULT_OPERATIONS };
    }
  }
  const ops: Plan["operations"] = { ...DEFAULT_OPERATIONS };
  if (!obj) return ops;
  for (const [k, v] of Object.entries(obj)) {
    const type = OP_TYPES[k as keyof Plan["operations"]];
    if (!type) {
      warnings.push(`${where}: unknown operation '${k}' ignored`);
      continue;
    }
    if (typeof v !== type || (type === "number" && !Number.isFinite(v))) {
      errors.push(`operations.${k}: expected a ${type}, got ${JSON.stringify(v)}`);
      continue;
    }
    (ops as unknown as Record<string, unknown>)[k] = v;
  }
  for (const k of Object.keys(OP_TYPES)) if (k !== "max_answer_chars" && !(k in obj)) warnings.push(`operations.${k}: missing; default ${JSON.stringify(DEFAULT_OPERATIONS[k as keyof Plan["operations"]])} assumed`);
  if (ops.near_threshold <= 0 || ops.near_threshold > 1) errors.push(`operations.near_threshold: expected a similarity in (0, 1], got ${ops.near_threshold}`);
  if (ops.outlier_z <= 0) errors.push(`operations.outlier_z: expected a positive number, got ${ops.outlier_z}`);
  if (!Number.isInteger(ops.min_answer_chars) || ops.min_answer_chars < 0) errors.push(`operations.min_answer_chars: expected a non-negative integer, got ${ops.min_answer_chars}`);
  if (ops.max_answer_chars !== undefined && ops.max_answer_chars < ops.min_answer_chars)
    errors.push(`operations.max_answer_chars: ${ops.max_answer_chars} is below min_answer_chars ${ops.min_answer_chars}`);
  if (!ops.decontaminate) warnings.push("operations.decontaminate: false; benchmark items could end up in the training data");
  return ops;
}

/** "- `id`: reason", "* **id** - reason", "1. id — reason". */
const REJECTED_LINE = /^\s*(?:[-*+]|\d+[.)])\s+(?:`([^`]+)`|\*\*([^*]+)\*\*|([A-Za-z0-9._/-]+))\s*(?::|—|–|-)\s*(.+)$/;

function rejectedOf(section: Section | undefined, warnings: string[]): Plan["rejected"] {
  if (!section) return [];
  const out: Plan["rejected"] = [];
  for (const line of prose(section.lines).split("\n")) {
    if (!line.trim() || /^\s*none\.?\s*$/i.test(line)) continue;
    const m = REJECTED_LINE.exec(line);
    if (m) out.push({ dataset_id: (m[1] ?? m[2] ?? m[3]!).trim(), reason: m[4]!.trim() });
    else if (/^\s*(?:[-*+]|\d+[.)])\s/.test(line)) warnings.push(`## Rejected Sources: cannot read '${line.trim()}' (expected "- \`id\`: reason")`);
    else if (out.length) out.at(-1)!.reason += " " + line.trim(); // a wrapped reason
  }
  return out;
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "a list" : typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

export function parsePlanMd(text: string, opts: ParsePlanOptions = {}): PlanParseResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const all = sections(text.replace(/\r\n?/g, "\n"));
  const first = (kind: SectionKind) => {
    const found = all.filter((s) => s.kind === kind);
    if (found.length > 1) warnings.push(`'${found[0]!.title}' appears ${found.length} times; read the first (line ${found[0]!.line})`);
    return found[0];
  };
  const trainingSection = first("training");
  const workflowSection = first("workflow");
  const partial: Partial<Plan> = {};
  const td = training(trainingSection, all, errors, warnings, opts);
  if (td) partial.training_data = td;
  if (!workflowSection) errors.push("missing '## Data Processing Workflow' section (prose describing the processing steps)");
  else {
    const wf = workflowSection.lines.join("\n").replace(/^\\(#{1,6}\s)/gm, "$1").trim();
    if (!wf) errors.push("## Data Processing Workflow: the section is empty");
    else partial.workflow = wf;
  }
  partial.operations = operations(first("operations"), all, errors, warnings);
  partial.rejected = rejectedOf(first("rejected"), warnings);
  if (td && !td.length && !partial.rejected.length) warnings.push("## Training Data: the list is empty");
  const ok = errors.length === 0 && !!partial.training_data && partial.workflow !== undefined;
  return { ok, plan: ok ? (partial as Plan) : undefined, partial, errors, warnings };
}
