/**
 * Renders recipe.py and check.py from a RecipeModel: the sources with their field mappings, the
 * plan's operations and the benchmark contract. The output reads like a script a careful person
 * wrote: constants first, one build function per source, a short pipeline, and comments that say
 * why each step is there. A manifest line at the end lets repairs regenerate the script.
 */
import type { Plan } from "../planner/plan.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { SourceMapping } from "./field-mapping.js";
import { helperCode, type HelperName } from "./templates.js";

/** Knobs of the built-in coder (trainable like the planner's; defaults are the baseline). */
export interface CoderParams {
  /** Put the contract's system prompt in every record. */
  systemPrompt?: boolean;
  /** Rows read per source: at most max(minRead, readFactor * target); 0 reads everything. */
  readFactor?: number;
  minRead?: number;
  /** check.py: share of answers that must follow the answer format. */
  minFormatShare?: number;
  /** check.py: label coverage is asserted once there are this many records per required label. */
  coveragePerLabel?: number;
  /**
   * Decontamination strictness: overrides the fingerprints' `minShared` (shared n-grams that
   * always make a covered segment count). 0, the default, keeps the file's own rule, which
   * already counts a reworded short question (it is a large share of its item).
   */
  decontaminateMinShared?: number;
}

export const DEFAULT_CODER_PARAMS: Required<CoderParams> = {
  systemPrompt: true,
  readFactor: 20,
  minRead: 20000,
  minFormatShare: 0.95,
  coveragePerLabel: 10,
  decontaminateMinShared: 0,
};

export type ContextKind = "table" | "passages" | "inline";

export interface RecipeSource {
  id: string;
  /** Records wanted from this source (the plan's sample_num). */
  target: number;
  mapping: SourceMapping;
  /** Profile paths in first-seen order: inline inputs before the question go before it. */
  fieldOrder: string[];
  contextKinds: Record<string, ContextKind>;
  /** Rows read from the source (null: all). */
  readLimit: number | null;
}

export interface RecipeModel {
  version: 1;
  taskId: string;
  /** One sentence saying what the task is (docstring and summary). */
  task: string;
  seed: number;
  budget: number;
  sources: RecipeSource[];
  skipped: { id: string; reason: string }[];
  ops: Plan["operations"];
  params: Required<CoderParams>;
  /** Answer keys (labels, letters) check.py requires to appear. */
  requiredKeys: string[];
  /** What repairs changed so far, oldest first. */
  history: string[];
}

export const MANIFEST_PREFIX = "# datachef-manifest: ";

// ---------------------------------------------------------------------------------------------
// Python literals and names

/** A JSON-like value as a Python literal. */
export function py(v: unknown): string {
  if (v === null || v === undefined) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "None";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(py).join(", ")}]`;
  if (typeof v === "object") return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}: ${py(x)}`).join(", ")}}`;
  return JSON.stringify(String(v));
}

/** A Python identifier for a source id (unique within `taken`). */
export function pyName(id: string, taken: Set<string>): string {
  let base = id.replace(/[^A-Za-z0-9_]/g, "_").replace(/_+/g, "_");
  if (!/^[A-Za-z_]/.test(base)) base = "s_" + base;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** A one-line comment-safe text. */
const oneLine = (s: string, max = 300) => s.replace(/\s+/g, " ").trim().slice(0, max);
/** Text safe inside a Python triple-quoted docstring. */
const docSafe = (s: string) => s.replace(/\\/g, "\\\\").replace(/"""/g, '\\"\\"\\"');

// ---------------------------------------------------------------------------------------------
// Per-contract pieces

const SHORT_ANSWER_KINDS = new Set(["label", "option_letter", "number"]);
/** Answers that are short by nature: a planned minimum length would drop them all. */
const isShortAnswer = (c: TaskContract) => SHORT_ANSWER_KINDS.has(c.answer.kind) || (c.answer.kind === "free_text" && !c.reasoning);

function contractConstants(model: RecipeModel, contract: TaskContract): string[] {
  const a = contract.answer;
  const out: string[] = [];
  switch (a.kind) {
    case "marker":
      out.push(`MARKER = ${py(a.marker)}  # the final line is '${a.marker} <number>'`);
      break;
    case "option_letter":
      out.push(`LETTERS = ${py(a.letters)}  # the benchmark's option letters`);
      break;
    case "label": {
      const labelMap: Record<string, string> = {};
      for (const s of model.sources) Object.assign(labelMap, s.mapping.labelMap ?? {});
      out.push(`LABELS = ${py(a.labels)}  # the benchmark's label words`);
      out.push(`# Source values seen in the profiles and the label each one means; to_label() handles the rest.`);
      out.push(`LABEL_MAP = ${py(labelMap)}`);
      break;
    }
    case "code":
      out.push(`CODE_LANGUAGE = ${py(a.language)}`);
      out.push(`FENCED = ${py(!!a.fenced)}  # benchmark answers ${a.fenced ? "are" : "are not"} in \`\`\` fences`);
      break;
    default:
      break;
  }
  return out;
}

/** final_answer(): the assistant turn in the benchmark's format, from an answer and worked steps. */
function finalAnswerCode(contract: TaskContract): string | null {
  const a = contract.answer;
  switch (a.kind) {
    case "marker":
      return `def final_answer(number, steps=""):
    """Worked steps, then the final line '${a.marker} <number>' (the benchmark's format)."""
    line = "%s %s" % (MARKER, fmt_number(number))
    return "%s\\n%s" % (steps, line) if steps else line`;
    case "boxed":
      return `def final_answer(answer, steps=""):
    """Worked steps, then the final answer in \\\\boxed{} (the benchmark's format)."""
    value = answer if isinstance(answer, str) else fmt_number(answer)
    line = "The final answer is $\\\\boxed{%s}$." % value
    return "%s\\n%s" % (steps, line) if steps else line`;
    case "number":
      return `def final_answer(number, steps=""):
    """The bare number: the benchmark compares numbers, without working."""
    return fmt_number(number)`;
    case "option_letter":
      return `def final_answer(letter, steps=""):
    """${contract.reasoning ? "Brief reasoning, then 'Answer: <letter>'" : "The option letter alone"} (the benchmark's format)."""
    return "%s\\nAnswer: %s" % (steps, letter) if steps else letter`;
    case "label":
      return `def final_answer(label, steps=""):
    """${contract.reasoning ? "Brief reasoning, then 'Answer: <label>'" : "The label word alone"} (the benchmark's format)."""
    return "%s\\nAnswer: %s" % (steps, label) if steps else label`;
    default:
      return null;
  }
}

/** answer_ok() and answer_key(): the format test shared by recipe.py (filter) and check.py (assert). */
function formatCheckCode(contract: TaskContract): { code: string; needs: HelperName[] } {
  const a = contract.answer;
  switch (a.kind) {
    case "marker":
      return {
        needs: ["numbers"],
        code: `_FINAL_LINE = re.compile(r"^" + re.escape(MARKER) + r"\\s*[-+]?\\$?\\d[\\d,]*(?:\\.\\d+)?\\s*$")


def answer_ok(text):
    """The last line is '${a.marker} <number>'."""
    lines = [l.strip() for l in text.strip().split("\\n") if l.strip()]
    return bool(lines) and bool(_FINAL_LINE.match(lines[-1]))`,
      };
    case "boxed":
      return {
        needs: ["numbers"],
        code: `def answer_ok(text):
    """The answer sits in a non-empty \\\\boxed{}."""
    inner = last_boxed(text)
    return inner is not None and inner.strip() != ""`,
      };
    case "number":
      return {
        needs: ["numbers"],
        code: `def answer_ok(text):
    """The whole answer is one number."""
    return parse_number(text.strip()) is not None`,
      };
    case "option_letter":
      return {
        needs: [],
        code: `def answer_key(text):
    """The option letter an answer ends with ('B' or 'Answer: B'), else None."""
    last = text.strip().split("\\n")[-1].strip()
    m = re.match(r"^(?:Answer:\\s*)?\\(?([A-Za-z])\\)?\\.?$", last)
    return m.group(1).upper() if m else None


def answer_ok(text):
    return answer_key(text) in LETTERS`,
      };
    case "label":
      return {
        needs: [],
        code: `def answer_key(text):
    """The label word an answer ends with ('yes' or 'Answer: yes'), else None."""
    last = text.strip().split("\\n")[-1].strip()
    last = re.sub(r"^Answer:\\s*", "", last).strip().rstrip(".").lower()
    return next((l for l in LABELS if l.lower() == last), None)


def answer_ok(text):
    return answer_key(text) is not None`,
      };
    case "code":
      return {
        needs: ["code"],
        code: `def answer_ok(text):
    """The answer reads as ${a.language} code${a.fenced ? " inside a ``` fence" : ""}."""
    return looks_like_code(text)${a.fenced ? ' and text.lstrip().startswith("```")' : ""}`,
      };
    case "free_text":
      return {
        needs: [],
        code: `def answer_ok(text):
    """Any non-empty answer: the benchmark grades free text by overlap, not by form."""
    return bool(text.strip())`,
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Build functions

interface BuildCode {
  code: string;
  needs: HelperName[];
}

/**
 * How a role path is read in a build function: exploded rows are {"parent", "item"}; `a|b|c`
 * are sibling option fields; `p#user` / `p#assistant` are turns of a conversation list.
 */
function accessor(path: string, explode?: string): string {
  const turn = /^(.*)#(user|assistant|system)$/.exec(path);
  if (turn) return `turn_text(${accessor(turn[1]!, explode)}, ${py(turn[2])})`;
  if (path.includes("|")) return `[v for v in (${path.split("|").map((p) => accessor(p, explode)).join(", ")}) if v not in (None, "")]`;
  if (!explode) return `dc.get_field(rec, ${py(path)})`;
  if (path.startsWith(explode + "[].")) return `dc.get_field(rec, ${py("item." + path.slice(explode.length + 3))})`;
  return `dc.get_field(rec, ${py("parent." + path)})`;
}

/**
 * Paths require_fields() checks before building: every mapped field. A field empty in every
 * sampled row is a wrong name, and a wrong context or rationale name would otherwise degrade
 * the data silently instead of failing.
 */
export function requiredPaths(src: RecipeSource): string[] {
  const r = src.mapping.roles;
  const ex = src.mapping.explode;
  const rel = (p: string) => (!ex ? p : p.startsWith(ex + "[].") ? "item." + p.slice(ex.length + 3) : "parent." + p);
  const paths = [r.question, r.prefix, ...(r.context ?? []), r.options, r.tests, r.answer, r.rationale]
    .filter((p): p is string => !!p)
    .flatMap((p) => p.replace(/#(user|assistant|system)$/, "").split("|"));
  return [...new Set(paths)].map(rel);
}

function buildFunction(src: RecipeSource, fn: string, contract: TaskContract): BuildCode {
  const m = src.mapping;
  const r = m.roles;
  const get = (p: string) => accessor(p, m.explode);
  const needs = new Set<HelperName>(["text"]);
  if (Object.values(r).flat().some((p) => typeof p === "string" && /#(user|assistant|system)$/.test(p))) needs.add("chat");
  const body: string[] = [];
  const guards: string[] = [];
  /** Lines that need the answer to exist (worked steps): after the guard. */
  const post: string[] = [];
  const kind = contract.answer.kind;
  const t = m.answerTransform;

  // Inputs.
  body.push(`question = text_of(${get(r.question!)})`);
  guards.push("not question");
  const qIndex = src.fieldOrder.indexOf(r.question!);
  const before: string[] = [];
  const after: string[] = [];
  const blocks: string[] = [];
  (r.context ?? []).forEach((p, i) => {
    const v = `context_${i + 1}`;
    const k = src.contextKinds[p] ?? "inline";
    if (k === "table") {
      needs.add("context");
      body.push(`${v} = render_table(${get(p)})`);
      blocks.push(`("Table", ${v})`);
    } else if (k === "passages" || contract.hasContext) {
      needs.add("context");
      body.push(`${v} = render_passages(${get(p)})`);
      blocks.push(`("Context", ${v})`);
    } else {
      body.push(`${v} = text_of(${get(p)})`);
      const idx = src.fieldOrder.indexOf(p);
      (idx >= 0 && qIndex >= 0 && idx < qIndex ? before : after).push(v);
    }
  });
  // The benchmark answers from its context: an item whose passages are empty cannot be answered.
  const blockVars = blocks.map((b) => /, (context_\d+)\)$/.exec(b)![1]!);
  if (contract.hasContext && blockVars.length) guards.push(blockVars.length === 1 ? `not ${blockVars[0]}` : `not (${blockVars.join(" or ")})`);
  const usesOptions = !!r.options && (contract.hasOptions || ["number_from_option", "option_text_from_letter", "letter", "letter_from_index", "letter_from_index1", "letter_from_option_text"].includes(t));
  if (usesOptions) {
    needs.add("options");
    body.push(`options = read_options(${get(r.options!)})`);
    if (kind === "option_letter") {
      body.push(`if len(options) < 2 or len(options) > len(LETTERS):`);
      body.push(`    return None  # the benchmark shows ${contract.answer.kind === "option_letter" ? contract.answer.letters.length : ""} options at most`);
    }
  }
  const showTests = !!r.tests && kind === "code" && (!!contract.fields?.tests || t === "code_completion");
  // Tests of a continuation source are check functions, not asserts to quote in a docstring.
  if (showTests) {
    needs.add("code");
    body.push(`tests = as_list(${get(r.tests!)})`);
  }
  const rationale = r.rationale ? get(r.rationale) : null;

  // The answer, in the contract's format.
  let assistant = "";
  const A = get(r.answer!);
  switch (t) {
    case "number_from_value":
      needs.add("numbers");
      body.push(`number = parse_number(${A})`);
      guards.push("number is None");
      assistant = stepsFor(post, rationale, m.rationaleIsEquation, needs, "number");
      break;
    case "number_from_text":
      needs.add("numbers");
      body.push(`number, steps = final_number(${A})`);
      guards.push("number is None");
      if (rationale) {
        needs.add("numbers");
        post.push(m.rationaleIsEquation ? `steps = steps or equation_steps(${rationale}, number)` : `steps = steps or tidy_rationale(${rationale})`);
      }
      assistant = kind === "number" ? "final_answer(number)" : "final_answer(number, steps)";
      break;
    case "boxed_to_marker":
      needs.add("numbers");
      body.push(`number, steps = boxed_number(${A})  # only plain-number answers convert`);
      guards.push("number is None");
      assistant = kind === "number" ? "final_answer(number)" : "final_answer(number, steps)";
      break;
    case "number_from_option":
      needs.add("numbers").add("options");
      body.push(`number = option_number(${A}, options)  # the number the chosen option states`);
      guards.push("number is None");
      assistant = stepsFor(post, rationale, m.rationaleIsEquation, needs, "number");
      break;
    case "keep_boxed":
      needs.add("numbers");
      if (kind === "boxed") {
        body.push(`solution = text_of(${A})`);
        guards.push("last_boxed(solution) is None");
        assistant = "solution";
      } else {
        body.push(`number, steps = boxed_number(${A})`);
        guards.push("number is None");
        assistant = "final_answer(number, steps)";
      }
      break;
    case "label_normalize":
      needs.add("labels");
      body.push(`label = to_label(${A})  # None for values outside the benchmark's labels`);
      guards.push("label is None");
      assistant = stepsFor(post, contract.reasoning ? rationale : null, false, needs, "label");
      break;
    case "letter":
    case "letter_from_index":
    case "letter_from_index1":
    case "letter_from_option_text": {
      const call =
        t === "letter" ? `letter_of(${A}, options)` : t === "letter_from_option_text" ? `letter_from_text(${A}, options)` : `letter_from_index(${A}, options, base=${t === "letter_from_index1" ? 1 : 0})`;
      body.push(`letter = ${call}`);
      guards.push("letter not in LETTERS");
      assistant = stepsFor(post, contract.reasoning ? rationale : null, false, needs, "letter");
      break;
    }
    case "option_text_from_letter":
      body.push(`answer = option_text(${A}, options)`);
      guards.push("not answer");
      assistant = "answer";
      break;
    case "code":
    case "code_fenced":
    case "code_unfenced":
      needs.add("code");
      body.push(`code = code_text(${A})`);
      if (t === "code_unfenced") body.push(`code = unfence(code)`);
      guards.push("not looks_like_code(code)", "not is_language(code, CODE_LANGUAGE)");
      if (contract.answer.kind === "code" && contract.answer.language === "python") guards.push(`not compiles(${t === "code_fenced" ? "code" : "unfence(code)"})`);
      assistant = t === "code_fenced" ? "fence(code, CODE_LANGUAGE)" : "code";
      break;
    case "code_completion":
      needs.add("code");
      body.push(`code = code_text(${A})`);
      guards.push("not is_language(code, CODE_LANGUAGE)");
      break;
    case "code_continuation": {
      needs.add("code");
      // The signature stops mid-line: signature + answer is the whole function.
      body.push(`prefix = ${get(r.prefix ?? r.question!)}`);
      body.push(`code = code_text((prefix if isinstance(prefix, str) else "") + text_of(${A}))`);
      guards.push("not is_language(code, CODE_LANGUAGE)");
      if (contract.answer.kind === "code" && contract.answer.style !== "completion") {
        if (contract.answer.language === "python") guards.push("not compiles(code)");
        assistant = contract.answer.fenced ? "fence(code, CODE_LANGUAGE)" : "code";
      }
      break;
    }
    default:
      body.push(`answer = answer_text(${A})`);
      guards.push("not answer");
      assistant = "answer";
  }

  const lines = [`def build_${fn}(rec):`, `    """${docSafe(oneLine(`${src.id}: one record in the benchmark's format.`))}`, ""];
  for (const n of m.notes) lines.push(`    ${docSafe(oneLine(n, 110))}`);
  lines.push(`    """`);
  for (const b of body) lines.push(`    ${b}`);
  lines.push(`    if ${guards.join(" or ")}:`, `        return None`);
  for (const p of post) lines.push(`    ${p}`);
  if (showTests && t !== "code_completion") lines.push(`    tests = tests_for(code, tests)  # only asserts on functions the answer defines`);
  const completion = t === "code_completion" || (t === "code_continuation" && contract.answer.kind === "code" && contract.answer.style === "completion");
  if (completion) {
    // The docstring describes the task: the question, unless the question is the signature itself.
    const description = r.prefix && r.prefix === r.question ? `""` : "question";
    lines.push(`    # Completion style: the signature and a docstring are the prompt, the body is the answer.`);
    lines.push(`    parts = split_completion(code, ${description}, ${showTests ? "tests" : "()"})`);
    lines.push(`    if parts is None:`, `        return None`);
    lines.push(`    prompt, body = parts`);
    lines.push(`    return chat(prompt, body)`);
  } else {
    needs.add("compose");
    const args = ["question"];
    if (before.length) args.push(`before=[${before.join(", ")}]`);
    if (after.length) args.push(`after=[${after.join(", ")}]`);
    if (blocks.length) args.push(`blocks=[${blocks.join(", ")}]`);
    if (usesOptions && contract.hasOptions) args.push("options=options");
    if (showTests) args.push("tests=tests");
    lines.push(`    user = compose_user(${args.join(", ")})`);
    lines.push(`    return chat(user, ${assistant})`);
  }
  return { code: lines.join("\n"), needs: [...needs] };
}

/** Adds the worked steps from a rationale field; returns the assistant expression. */
function stepsFor(post: string[], rationale: string | null, equation: boolean | undefined, needs: Set<HelperName>, answerVar: string): string {
  if (!rationale) return `final_answer(${answerVar})`;
  needs.add("numbers");
  post.push(equation ? `steps = equation_steps(${rationale}, ${answerVar})` : `steps = tidy_rationale(${rationale})`);
  return `final_answer(${answerVar}, steps)`;
}

// ---------------------------------------------------------------------------------------------
// recipe.py

function pipelineSteps(model: RecipeModel): string[] {
  const o = model.ops;
  const steps = ["standardise each source into chat records", "drop answers outside the length bounds and the benchmark's answer format"];
  if (o.filter_outliers) steps.push(`drop length outliers (|z| > ${o.outlier_z} on log length)`);
  if (o.dedup_exact) steps.push("exact dedup (normalised user turn)");
  if (o.dedup_near) steps.push(`near dedup (MinHash, Jaccard >= ${o.near_threshold})`);
  if (o.decontaminate) steps.push("decontaminate against the benchmark's 13-gram fingerprints");
  steps.push("sample each source to its planned size, mix, cap at the budget", "dump output/data.jsonl");
  return steps;
}

export function renderRecipe(model: RecipeModel, contract: TaskContract): string {
  const taken = new Set<string>();
  const names = new Map(model.sources.map((s) => [s.id, pyName(s.id, taken)]));
  const builds = model.sources.map((s) => buildFunction(s, names.get(s.id)!, contract));
  const fmt = formatCheckCode(contract);
  const needs = new Set<HelperName>(["text", "io", ...fmt.needs, ...builds.flatMap((b) => b.needs)]);
  if (model.requiredKeys.length) needs.add("coverage");
  if (model.ops.dedup_near) needs.add("compose"); // near_dup_key() keys near dedup
  if (model.sources.some((s) => s.mapping.explode)) needs.add("explode");
  const finalAnswer = finalAnswerCode(contract);
  const o = model.ops;
  const short = isShortAnswer(contract);
  const minChars = short ? 1 : Math.max(1, o.min_answer_chars);
  const outlierRole = short ? "user" : "assistant";

  const doc = [
    `Data recipe for task '${model.taskId}'.`,
    ``,
    `Task: ${model.task}`,
    `Answer format: ${contract.describe}`,
    ``,
    `Sources (planned records):`,
    ...model.sources.map((s) => `  - ${s.id}: ${s.target} (answer via ${s.mapping.answerTransform}${s.mapping.explode ? `, one record per '${s.mapping.explode}' item` : ""})`),
    ...(model.skipped.length ? [``, `Left out:`, ...model.skipped.map((s) => `  - ${s.id}: ${oneLine(s.reason, 160)}`)] : []),
    ``,
    `Pipeline:`,
    ...pipelineSteps(model).map((s, i) => `  ${i + 1}. ${s}`),
    ...(model.history.length ? [``, `Repairs:`, ...model.history.map((h) => `  - ${oneLine(h, 200)}`)] : []),
    ``,
    `Written by the datachef built-in coder (seed ${model.seed}). It is an ordinary Python script:`,
    `edit it and re-run it with \`datachef run\`.`,
  ];

  const L: string[] = [];
  L.push(`#!/usr/bin/env python3`, `"""${docSafe(doc.join("\n"))}`, `"""`, `import re`, `import sys`, ``, `import datachef_toolkit as dc`, ``);
  L.push(`SEED = ${model.seed}`, `BUDGET = ${model.budget}  # records in the training set at most`);
  L.push(`SYSTEM_PROMPT = ${py(contract.systemPrompt)}`);
  L.push(...contractConstants(model, contract));
  L.push(``, `# Records wanted per source (the plan's sample_num) and rows read from each (None: all).`);
  L.push(`TARGETS = ${py(Object.fromEntries(model.sources.map((s) => [s.id, s.target])))}`);
  L.push(`READ_LIMIT = ${py(Object.fromEntries(model.sources.map((s) => [s.id, s.readLimit])))}`);
  L.push(``, `# Filters (from the plan).`);
  const what: Record<string, string> = { number: "a number", label: "a label word", option_letter: "a letter", free_text: "spans and values" };
  if (short) L.push(`# Short answers (${what[contract.answer.kind] ?? "short"}): the plan's minimum answer length does not apply; outliers are judged on the question.`);
  L.push(`MIN_ANSWER_CHARS = ${minChars}`, `MAX_ANSWER_CHARS = ${py(o.max_answer_chars ?? null)}`);
  L.push(`OUTLIER_Z = ${o.outlier_z}`, `NEAR_THRESHOLD = ${o.near_threshold}`);
  if (model.requiredKeys.length) L.push(`REQUIRED_KEYS = ${py(model.requiredKeys)}  # every one must appear in the output`);
  L.push(``, ``, `# ----------------------------------------------------------------- helpers`, ``);
  L.push(helperCode(needs));
  L.push(``, ``, `# ----------------------------------------------------------------- the benchmark's answer format`, ``);
  if (finalAnswer) L.push(finalAnswer, ``, ``);
  L.push(fmt.code, ``, ``);
  L.push(`def user_of(rec):`, `    return next(m["content"] for m in rec["messages"] if m["role"] == "user")`, ``, ``);
  L.push(`def assistant_of(rec):`, `    return rec["messages"][-1]["content"]`, ``, ``);
  L.push(
    `def chat(user, assistant):`,
    model.params.systemPrompt ? `    """(system, user, assistant): every record states the task and the answer format."""` : `    """(user, assistant): no system turn, as the benchmark is asked."""`,
    model.params.systemPrompt ? `    return (SYSTEM_PROMPT, user, assistant)` : `    return (user, assistant)`,
  );
  L.push(``, ``, `# ----------------------------------------------------------------- one builder per source`, ``);
  for (const b of builds) L.push(b.code, ``, ``);
  L.push(`# ----------------------------------------------------------------- pipeline`, ``);
  L.push(
    `def clean(source_id, records):`,
    `    """Per-source filters, before sources are mixed: each source has its own length profile."""`,
    `    records = dc.filter_length(records, role="assistant", min_chars=MIN_ANSWER_CHARS, max_chars=MAX_ANSWER_CHARS, step="length:" + source_id)`,
    `    records = dc.filter_records(records, lambda r: answer_ok(assistant_of(r)), step="answer format:" + source_id)`,
  );
  if (o.filter_outliers) L.push(`    records = dc.filter_outliers(records, role=${py(outlierRole)}, z=OUTLIER_Z, step="outliers:" + source_id)`);
  L.push(`    if not records:`, `        print("WARNING: source '%s' produced no records" % source_id, file=sys.stderr)`, `    return records`, ``, ``);

  L.push(`def main():`, `    built = {}`);
  if (!model.sources.length) {
    L.push(`    sys.exit("EMPTY OUTPUT: no planned source maps onto the benchmark's format")`);
  }
  for (const s of model.sources) {
    const fn = names.get(s.id)!;
    L.push(``, `    # ${s.id}: ${s.target} records wanted`);
    L.push(`    records = dc.load_source(${py(s.id)}, limit=READ_LIMIT[${py(s.id)}])`);
    if (s.mapping.explode) {
      L.push(`    records = explode(records, ${py(s.mapping.explode)})  # one row per question, with its parent's context`);
    }
    L.push(`    require_fields(${py(s.id)}, records, ${py(requiredPaths(s))})`);
    L.push(`    built[${py(s.id)}] = clean(${py(s.id)}, dc.standardize(records, build_${fn}, source=${py(s.id)}, step=${py("standardize:" + s.id)}))`);
  }
  if (model.sources.length) {
    L.push(``, `    pool = [r for recs in built.values() for r in recs]`);
    if (o.dedup_exact) L.push(`    pool = dc.dedup_exact(pool, key=user_of, step="dedup exact")`);
    if (o.dedup_near) {
      L.push(`    pool = dc.dedup_near(pool, key=lambda r: near_dup_key(user_of(r)), threshold=NEAR_THRESHOLD, seed=SEED, step="dedup near")`);
    }
    if (o.decontaminate) {
      const strict = model.params.decontaminateMinShared ?? 0;
      if (strict > 0) {
        L.push(`    # Strict decontamination: a segment counts once ${strict} n-gram(s) cover half of it, so a`);
        L.push(`    # benchmark question reworded in a few numbers is dropped too. No fingerprints: a no-op with a warning.`);
        L.push(`    fingerprints = dc.load_benchmark_ngrams()`);
        L.push(`    if fingerprints is not None:`, `        fingerprints = dict(fingerprints, minShared=${strict})`);
        L.push(`    pool = dc.decontaminate(pool, fingerprints=fingerprints, step="decontaminate")`);
      } else {
        L.push(`    pool = dc.decontaminate(pool, step="decontaminate")  # a no-op with a warning when no fingerprints are staged`);
      }
    }
    L.push(`    if not pool:`, `        sys.exit("EMPTY OUTPUT: no records survived standardisation and filtering (see the steps above)")`);
    L.push(``, `    groups = {}`, `    for r in pool:`, `        groups.setdefault(r["_source"], []).append(r)`);
    L.push(`    groups = {sid: dc.sample(recs, TARGETS[sid], seed=SEED) for sid, recs in groups.items()}`);
    L.push(`    total = min(BUDGET, sum(len(recs) for recs in groups.values()))`);
    L.push(`    data = dc.mix(groups, weights={sid: len(recs) for sid, recs in groups.items()}, total=total, seed=SEED)`);
    if (model.requiredKeys.length) L.push(`    data = ensure_coverage(data, pool, key=lambda r: answer_key(assistant_of(r)), wanted=REQUIRED_KEYS, seed=SEED)`);
    L.push(`    data = dc.shuffle(data, seed=SEED)`);
    L.push(`    written = dc.dump_jsonl(data)`);
    L.push(`    mix_line = ", ".join("%s=%d" % (sid, sum(1 for r in data if r["_source"] == sid)) for sid in groups)`);
    L.push(`    print("recipe: wrote %d records (%s)" % (written, mix_line))`);
  }
  L.push(``, ``, `if __name__ == "__main__":`, `    main()`, ``);
  L.push(`${MANIFEST_PREFIX}${JSON.stringify(model)}`, ``);
  return L.join("\n");
}

// ---------------------------------------------------------------------------------------------
// check.py

export function renderCheck(model: RecipeModel, contract: TaskContract): string {
  const fmt = formatCheckCode(contract);
  const needs = new Set<HelperName>(fmt.needs);
  const p = model.params;
  const doc = [
    `Checks the training set of task '${model.taskId}' (written by the datachef built-in coder).`,
    ``,
    `Asserts: every line is a chat record (system?, user, assistant) with no empty turn; at least`,
    `${Math.round(p.minFormatShare * 100)}% of answers follow the benchmark's format (${contract.describe});`,
    ...(model.requiredKeys.length ? [`every answer key of ${model.requiredKeys.join(", ")} appears;`] : []),
    `and 0 < records <= ${model.budget}. Prints a summary; exits 1 with "CHECK FAILED [kind]: ..." otherwise.`,
    ``,
    `Usage: python3 check.py [path/to/data.jsonl]   (default: $DATACHEF_OUTPUT or output/data.jsonl)`,
  ];
  const L: string[] = [];
  L.push(`#!/usr/bin/env python3`, `"""${docSafe(doc.join("\n"))}`, `"""`, `import json`, `import os`, `import re`, `import sys`, `from collections import Counter`, ``);
  L.push(`PATH = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("DATACHEF_OUTPUT", "output/data.jsonl")`);
  L.push(`BUDGET = ${model.budget}`, `MIN_FORMAT_SHARE = ${p.minFormatShare}`);
  L.push(`REQUIRED_KEYS = ${py(model.requiredKeys)}`, `COVERAGE_MIN_RECORDS = ${p.coveragePerLabel} * len(REQUIRED_KEYS)  # fewer records: coverage is only reported`);
  L.push(...contractConstants({ ...model, sources: [] }, contract).filter((l) => !l.startsWith("LABEL_MAP") && !l.startsWith("# Source values")));
  L.push(``, ``);
  if (needs.size) L.push(helperCode(needs), ``, ``);
  L.push(fmt.code, ``, ``);
  if (!fmt.code.includes("def answer_key")) L.push(`def answer_key(text):`, `    return None`, ``, ``);
  L.push(
    `def fail(kind, message):`,
    `    print("CHECK FAILED [%s]: %s" % (kind, message), file=sys.stderr)`,
    `    sys.exit(1)`,
    ``,
    ``,
    `def chat_error(rec):`,
    `    """None for a valid training record (contracts.md), else the reason."""`,
    `    if not isinstance(rec, dict) or not isinstance(rec.get("messages"), list):`,
    `        return "not an object with a 'messages' list"`,
    `    msgs = rec["messages"]`,
    `    if len(msgs) < 2:`,
    `        return "fewer than two turns"`,
    `    for i, m in enumerate(msgs):`,
    `        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant"):`,
    `            return "turn %d has no valid role" % i`,
    `        if not isinstance(m.get("content"), str) or not m["content"].strip():`,
    `            return "turn %d (%s) is empty" % (i, m.get("role"))`,
    `    if not any(m["role"] == "user" for m in msgs):`,
    `        return "no user turn"`,
    `    if msgs[-1]["role"] != "assistant":`,
    `        return "the last turn is not the assistant's"`,
    `    return None`,
    ``,
    ``,
    `def main():`,
    `    if not os.path.isfile(PATH):`,
    `        fail("empty_output", "no training set at %s" % PATH)`,
    `    records = []`,
    `    with open(PATH, encoding="utf-8") as f:`,
    `        for n, line in enumerate(f, 1):`,
    `            if not line.strip():`,
    `                fail("format", "line %d is blank" % n)`,
    `            try:`,
    `                rec = json.loads(line)`,
    `            except ValueError as e:`,
    `                fail("bad_json", "line %d is not JSON (%s)" % (n, e))`,
    `            err = chat_error(rec)`,
    `            if err:`,
    `                fail("format", "line %d: %s" % (n, err))`,
    `            records.append(rec)`,
    `    if not records:`,
    `        fail("empty_output", "%s holds no records" % PATH)`,
    `    if len(records) > BUDGET:`,
    `        fail("budget", "%d records, more than the budget of %d" % (len(records), BUDGET))`,
    `    answers = [rec["messages"][-1]["content"] for rec in records]`,
    `    bad = [a for a in answers if not answer_ok(a)]`,
    `    share = 1 - len(bad) / len(answers)`,
    `    if share < MIN_FORMAT_SHARE:`,
    `        fail("answer_format", "only %.1f%% of answers follow the format (need %.0f%%); first offender: %r" % (100 * share, 100 * MIN_FORMAT_SHARE, bad[0][-200:]))`,
    `    keys = Counter(answer_key(a) for a in answers)`,
    `    missing = [k for k in REQUIRED_KEYS if not keys.get(k)]`,
    `    if missing and len(records) >= COVERAGE_MIN_RECORDS:`,
    `        fail("label_coverage", "never used as an answer: %s (counts: %s)" % (", ".join(missing), dict(keys)))`,
    `    user_chars = sorted(len(next(m["content"] for m in r["messages"] if m["role"] == "user")) for r in records)`,
    `    print("check.py: OK: %d records, %.1f%% in the answer format, median user turn %d chars%s" % (`,
    `        len(records), 100 * share, user_chars[len(user_chars) // 2],`,
    `        (", answers: " + ", ".join("%s=%d" % (k, keys[k]) for k in REQUIRED_KEYS)) if REQUIRED_KEYS else ""))`,
    `    if missing:`,
    `        print("check.py: note: too few records to require %s" % ", ".join(missing))`,
    ``,
    ``,
    `if __name__ == "__main__":`,
    `    main()`,
    ``,
  );
  return L.join("\n");
}

/** The model a recipe was generated from, when it still carries its manifest line. */
export function readManifest(recipe: string): RecipeModel | null {
  const line = recipe.split("\n").find((l) => l.startsWith(MANIFEST_PREFIX));
  if (!line) return null;
  try {
    const m = JSON.parse(line.slice(MANIFEST_PREFIX.length)) as RecipeModel;
    return m && m.version === 1 && Array.isArray(m.sources) ? m : null;
  } catch {
    return null;
  }
}
