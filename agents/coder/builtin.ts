/**
 * The built-in coder: writes recipe.py and check.py from the plan, the source profiles and the
 * benchmark contract, without a model; and repairs them deterministically after a failed run.
 *
 * Writing: every planned source is mapped onto the contract (field-mapping.ts), then the recipe
 * is rendered (codegen.ts). Repairing: the recipe's manifest line holds the model it was rendered
 * from; a repair edits that model (re-maps a field, drops a source, relaxes a filter, turns off
 * near dedup, reads fewer rows) and renders again. Deterministic for a seed.
 */
import type { FieldProfile, SourceProfile } from "../../src/data/types.js";
import type { TaskContract } from "../../src/task/contract.js";
import type { LoadedTask } from "../../src/task/spec.js";
import { taskSentence } from "../../src/task/infer-contract.js";
import { asLetter, leafName, lettersFor, nameScore, normName } from "../../src/task/field-roles.js";
import type { ClassifiedError } from "../interpreter/classify.js";
import { missingFieldOf } from "../interpreter/classify.js";
import type { Plan } from "../planner/plan.js";
import {
  DEFAULT_CODER_PARAMS,
  pyName,
  readManifest,
  renderCheck,
  renderRecipe,
  type CoderParams,
  type ContextKind,
  type RecipeModel,
  type RecipeSource,
} from "./codegen.js";
import { mapSource, type AnswerTransform, type SourceMapping } from "./field-mapping.js";

export type { CoderParams } from "./codegen.js";

export interface WriteRecipeArgs {
  task: LoadedTask;
  plan: Plan;
  profiles: SourceProfile[];
  contract: TaskContract;
  seed: number;
  params?: CoderParams;
}

export interface WrittenRecipe {
  recipe: string;
  check: string;
  /** The mapping of every planned source that has a profile (also the ones left out). */
  mappings: Record<string, SourceMapping>;
}

const share = (f: FieldProfile | undefined, ...ts: string[]) => {
  if (!f) return 0;
  const n = Object.entries(f.types).reduce((s, [t, c]) => (t === "null" ? s : s + (c ?? 0)), 0);
  return n ? ts.reduce((s, t) => s + (f.types[t as keyof typeof f.types] ?? 0), 0) / n : 0;
};

/** How a context field is shown: tables as rows, passages as a block, short inputs inline. */
function contextKind(profile: SourceProfile, path: string): ContextKind {
  const byPath = new Map(profile.fields.map((f) => [f.path, f]));
  const f = byPath.get(path);
  if (share(f, "array") >= 0.5) {
    const el = byPath.get(path + "[]");
    if (share(el, "array") >= 0.5) return "table";
    return "passages";
  }
  if (share(f, "object") >= 0.5) return "passages";
  if ((f?.meanChars ?? 0) >= 150 || nameScore(path, "context") >= 0.8) return "passages";
  return "inline";
}

/** Letters or labels one source can produce, from its profile (null: unknown). */
function producibleKeys(profile: SourceProfile, mapping: SourceMapping, contract: TaskContract): string[] | null {
  const byPath = new Map(profile.fields.map((f) => [f.path, f]));
  if (contract.answer.kind === "label") {
    return mapping.labelMap && Object.keys(mapping.labelMap).length ? [...new Set(Object.values(mapping.labelMap))] : null;
  }
  if (contract.answer.kind !== "option_letter" || !mapping.roles.answer) return null;
  const top = byPath.get(mapping.roles.answer)?.topValues;
  const t = mapping.answerTransform as AnswerTransform;
  if (top?.length && t === "letter") return [...new Set(top.map((v) => asLetter(v.value)).filter((x): x is string => !!x))];
  if (top?.length && (t === "letter_from_index" || t === "letter_from_index1")) {
    const base = t === "letter_from_index1" ? 1 : 0;
    return [...new Set(top.map((v) => lettersFor(26)[Number(v.value) - base]).filter((x): x is string => !!x))];
  }
  // Without answer statistics: as many letters as the source shows options.
  const opts = mapping.roles.options;
  if (!opts) return null;
  const kids = profile.fields.filter((f) => f.path.startsWith(opts + ".") && !f.path.slice(opts.length + 1).includes("."));
  const n = kids.length >= 2 ? kids.length : Math.floor(byPath.get(opts)?.meanItems ?? 0);
  return n >= 2 ? lettersFor(n) : null;
}

function requiredKeys(contract: TaskContract, sources: { profile: SourceProfile; mapping: SourceMapping }[]): string[] {
  const a = contract.answer;
  if (a.kind !== "label" && a.kind !== "option_letter") return [];
  const all = a.kind === "label" ? a.labels : a.letters;
  const known = sources.map((s) => producibleKeys(s.profile, s.mapping, contract));
  // Only what the chosen sources can produce: a label no source has cannot be asserted.
  if (!known.length || known.every((k) => k === null)) return all;
  const union = new Set(known.flatMap((k) => k ?? []));
  return all.filter((k) => union.has(k));
}

function sourceEntry(profile: SourceProfile, mapping: SourceMapping, target: number, params: Required<CoderParams>): RecipeSource {
  const cap = params.readFactor > 0 ? Math.max(params.minRead, params.readFactor * target) : 0;
  const contextKinds: Record<string, ContextKind> = {};
  for (const p of mapping.roles.context ?? []) contextKinds[p] = contextKind(profile, p);
  return {
    id: profile.id,
    target,
    mapping,
    fieldOrder: profile.fields.map((f) => f.path),
    contextKinds,
    readLimit: cap > 0 && (profile.rows === 0 || profile.rows > cap) ? cap : null,
  };
}

/** The recipe model for a plan: mapped sources, left-out sources with reasons, and settings. */
export function buildModel(args: {
  taskId: string;
  task: string;
  budget: number;
  plan: Plan;
  profiles: SourceProfile[];
  contract: TaskContract;
  seed: number;
  params?: CoderParams;
}): { model: RecipeModel; mappings: Record<string, SourceMapping> } {
  const params = { ...DEFAULT_CODER_PARAMS, ...(args.params ?? {}) };
  const byId = new Map(args.profiles.map((p) => [p.id, p]));
  const mappings: Record<string, SourceMapping> = {};
  const sources: RecipeSource[] = [];
  const used: { profile: SourceProfile; mapping: SourceMapping }[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const entry of args.plan.training_data) {
    if (seen.has(entry.dataset_id)) continue;
    seen.add(entry.dataset_id);
    const profile = byId.get(entry.dataset_id);
    if (!profile) {
      skipped.push({ id: entry.dataset_id, reason: "no profile: the source is not part of the task" });
      continue;
    }
    const mapping = mapSource(profile, args.contract);
    mappings[profile.id] = mapping;
    if (!mapping.ok || !mapping.roles.question || !mapping.roles.answer) {
      skipped.push({ id: profile.id, reason: `its fields do not map onto the benchmark's format: ${mapping.notes.join("; ")}` });
      continue;
    }
    const target = Math.max(1, Math.min(Math.round(entry.sample_num), args.budget));
    sources.push(sourceEntry(profile, mapping, target, params));
    used.push({ profile, mapping });
  }
  const model: RecipeModel = {
    version: 1,
    taskId: args.taskId,
    task: args.task,
    seed: args.seed,
    budget: args.budget,
    sources,
    skipped,
    ops: { ...args.plan.operations },
    params,
    requiredKeys: requiredKeys(args.contract, used),
    history: [],
  };
  return { model, mappings };
}

export function writeRecipeBuiltin(args: WriteRecipeArgs): WrittenRecipe {
  const { model, mappings } = buildModel({
    taskId: args.task.spec.id,
    task: taskSentence(args.task.spec),
    budget: args.task.maxRecords,
    plan: args.plan,
    profiles: args.profiles,
    contract: args.contract,
    seed: args.seed,
    params: args.params,
  });
  return { recipe: renderRecipe(model, args.contract), check: renderCheck(model, args.contract), mappings };
}

// ---------------------------------------------------------------------------------------------
// Repairs

export interface RepairArgs {
  recipe: string;
  check: string;
  error: ClassifiedError;
  profiles: SourceProfile[];
  contract: TaskContract;
  plan: Plan;
  /** The number of the attempt that failed (1-based). */
  attempt: number;
}

export interface Repair {
  recipe: string;
  check: string;
  /** What was changed, for the attempt log and the report. */
  fix: string;
}

/** Levenshtein similarity of two normalised names (0..1). */
export function nameSimilarity(a: string, b: string): number {
  const x = normName(a);
  const y = normName(b);
  if (!x.length || !y.length) return 0;
  const d: number[] = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (x[i - 1] === y[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return 1 - d[y.length]! / Math.max(x.length, y.length);
}

type RoleKey = "question" | "answer" | "options" | "rationale" | "system" | "tests" | "prefix";

/** A path the recipe names in an error ("item.x", "parent.a.b", "a.b") as a profile path. */
function profilePath(src: RecipeSource, path: string): string {
  const ex = src.mapping.explode;
  if (ex && path.startsWith("item.")) return `${ex}[].${path.slice(5)}`;
  if (ex && path.startsWith("parent.")) return path.slice(7);
  return path;
}

/** Where a bad field sits in a source's mapping. */
function findRole(src: RecipeSource, path: string): { role: RoleKey | "context"; index?: number } | null {
  const r = src.mapping.roles;
  const leafMatch = (p: string | undefined) => !!p && (p === path || leafName(p) === leafName(path));
  for (const role of ["question", "answer", "options", "rationale", "system", "tests", "prefix"] as RoleKey[]) if (leafMatch(r[role])) return { role };
  const i = (r.context ?? []).findIndex(leafMatch);
  return i >= 0 ? { role: "context", index: i } : null;
}

/** The existing field closest by name to a missing one, among the profile's content fields. */
function closestField(profile: SourceProfile, bad: string, exclude: string[]): { path: string; similarity: number } | null {
  let best: { path: string; similarity: number } | null = null;
  for (const f of profile.fields) {
    if (f.path.endsWith("[]") || exclude.includes(f.path)) continue;
    const sim = Math.max(nameSimilarity(leafName(bad), leafName(f.path)), nameSimilarity(bad, f.path));
    if (!best || sim > best.similarity) best = { path: f.path, similarity: sim };
  }
  return best;
}

function rolePaths(m: SourceMapping): string[] {
  const r = m.roles;
  return [r.question, r.answer, r.options, r.rationale, r.system, r.tests, r.prefix, ...(r.context ?? [])].filter((p): p is string => !!p);
}

/** A model for a recipe without a manifest (hand-edited or model-written): rebuilt from the plan. */
function modelFromPlan(args: RepairArgs): RecipeModel {
  const budget = Math.max(1, args.plan.training_data.reduce((s, e) => s + Math.max(0, e.sample_num), 0));
  const taskId = /Data recipe for task '([^']+)'/.exec(args.recipe)?.[1] ?? "task";
  return buildModel({
    taskId,
    task: args.contract.systemPrompt.replace(/^Task:\s*/, "").split(/(?<=\.)\s/)[0] ?? "",
    budget,
    plan: args.plan,
    profiles: args.profiles,
    contract: args.contract,
    seed: Number(/^SEED = (\d+)/m.exec(args.recipe)?.[1] ?? 0),
  }).model;
}

function dropSources(model: RecipeModel, ids: string[], why: string): RecipeModel {
  const drop = new Set(ids);
  return {
    ...model,
    sources: model.sources.filter((s) => !drop.has(s.id)),
    skipped: [...model.skipped, ...ids.map((id) => ({ id, reason: why }))],
  };
}

/** Source ids the recipe's own warnings say produced nothing. */
function emptySources(err: ClassifiedError): string[] {
  return [...`${err.stderrTail}\n${err.message}`.matchAll(/source '([^']+)' produced no records/g)].map((m) => m[1]!);
}

/** The source whose build function appears in a traceback, or which an error message names. */
function failingSource(model: RecipeModel, err: ClassifiedError): string | undefined {
  const text = `${err.tracebackTail}\n${err.stderrTail}\n${err.message}`;
  const taken = new Set<string>();
  for (const s of model.sources) {
    const fn = "build_" + pyName(s.id, taken);
    if (new RegExp(`\\b${fn}\\b`).test(text) || text.includes(`source '${s.id}'`)) return s.id;
  }
  return undefined;
}

/** A repair: the edited model rendered again, its fix appended to the recipe's history. */
interface Rendered extends Repair {
  model: RecipeModel;
}

function render(model: RecipeModel, contract: TaskContract, fix: string): Rendered {
  const m = { ...model, history: [...model.history, fix] };
  return { recipe: renderRecipe(m, contract), check: renderCheck(m, contract), fix, model: m };
}

/** The model without its history: what decides the generated code. */
const essence = (m: RecipeModel) => JSON.stringify({ ...m, history: [] });

function repairMissingField(model: RecipeModel, args: RepairArgs, edited: boolean): Rendered | null {
  const miss = missingFieldOf(args.error);
  if (!miss) return edited ? render(model, args.contract, "regenerated the recipe from its manifest (the code had been edited)") : null;
  const candidates = model.sources.filter((s) => !miss.source || s.id === miss.source);
  for (const src of candidates) {
    const path = profilePath(src, miss.field);
    const where = findRole(src, path);
    if (!where) continue;
    const profile = args.profiles.find((p) => p.id === src.id);
    if (!profile) return render(dropSources(model, [src.id], `field '${path}' is missing and no profile is available`), args.contract, `dropped source '${src.id}': field '${path}' does not exist`);
    const exists = profile.fields.some((f) => f.path === path);
    if (exists && edited) break; // the mapping is right; the code was changed
    if (exists) {
      // The profile saw the field, the first rows of the file do not have it: too sparse to rely on.
      if (model.sources.length > 1) return render(dropSources(model, [src.id], `field '${path}' is absent from its first rows`), args.contract, `dropped source '${src.id}': field '${path}' is absent from its first rows`);
      return null;
    }
    const others = rolePaths(src.mapping).filter((p) => p !== path);
    const near = closestField(profile, path, others);
    let mapping: SourceMapping;
    let how: string;
    if (near && near.similarity >= 0.5) {
      const roles = { ...src.mapping.roles };
      if (where.role === "context") roles.context = (roles.context ?? []).map((p, i) => (i === where.index ? near.path : p));
      else roles[where.role] = near.path;
      mapping = { ...src.mapping, roles, notes: [...src.mapping.notes, `'${path}' re-mapped to '${near.path}'`] };
      how = `mapped ${where.role} to '${near.path}' (closest existing field)`;
    } else {
      mapping = mapSource(profile, args.contract);
      if (!mapping.ok || !mapping.roles.question || !mapping.roles.answer || rolePaths(mapping).includes(path)) {
        return render(dropSources(model, [src.id], `field '${path}' does not exist and no other field maps`), args.contract, `dropped source '${src.id}': field '${path}' does not exist and nothing else maps onto the contract`);
      }
      how = "re-mapped the source's fields from its profile";
    }
    const sources = model.sources.map((s) => (s.id === src.id ? { ...s, mapping, contextKinds: Object.fromEntries((mapping.roles.context ?? []).map((p) => [p, s.contextKinds[p] ?? contextKind(profile, p)])) } : s));
    return render({ ...model, sources }, args.contract, `source '${src.id}': field '${path}' does not exist; ${how}`);
  }
  return render(model, args.contract, `field '${miss.field}' is not in the recipe's mapping: regenerated the recipe from its manifest (the code had been edited)`);
}

function repairEmpty(model: RecipeModel, args: RepairArgs): Rendered | null {
  const o = model.ops;
  const empty = emptySources(args.error).filter((id) => model.sources.some((s) => s.id === id));
  const relaxed = !o.filter_outliers && o.min_answer_chars <= 1 && o.max_answer_chars === undefined;
  if (!relaxed) {
    const ops = { ...o, filter_outliers: false, min_answer_chars: 1, max_answer_chars: undefined };
    let next: RecipeModel = { ...model, ops };
    const dropNow = empty.length && empty.length < model.sources.length ? empty : [];
    if (dropNow.length) next = dropSources(next, dropNow, "produced no records");
    return render(next, args.contract, `relaxed the filters (no outlier filter, no answer length bounds)${dropNow.length ? `; dropped ${dropNow.join(", ")} (no records)` : ""}`);
  }
  if (empty.length && empty.length < model.sources.length) {
    return render(dropSources(model, empty, "produced no records"), args.contract, `dropped ${empty.join(", ")}: no records survived`);
  }
  if (o.dedup_near) return render({ ...model, ops: { ...o, dedup_near: false } }, args.contract, "turned off near dedup (nothing survived the filters)");
  return null;
}

function repairSlow(model: RecipeModel, args: RepairArgs): Rendered | null {
  const o = model.ops;
  if (o.dedup_near) return render({ ...model, ops: { ...o, dedup_near: false } }, args.contract, "turned off near dedup (the slowest step) after a time/resource limit");
  const capped = model.sources.map((s) => {
    const cap = Math.max(1000, 3 * s.target);
    return { ...s, readLimit: s.readLimit === null ? cap : Math.min(s.readLimit, cap) };
  });
  if (capped.some((s, i) => s.readLimit !== model.sources[i]!.readLimit)) {
    return render({ ...model, sources: capped }, args.contract, "read at most 3x the planned records per source (time/resource limit)");
  }
  if (model.sources.some((s) => s.target > 100)) {
    const halved = model.sources.map((s) => ({ ...s, target: Math.max(50, Math.floor(s.target / 2)), readLimit: s.readLimit === null ? null : Math.max(1000, Math.floor(s.readLimit / 2)) }));
    return render({ ...model, sources: halved }, args.contract, "halved the planned records and rows read per source (time/resource limit)");
  }
  return null;
}

function repairAssertion(model: RecipeModel, args: RepairArgs, edited: boolean): Rendered | null {
  const msg = args.error.message;
  if (edited) return render(model, args.contract, "regenerated recipe.py and check.py from the manifest (check failed on edited code)");
  if (/\[label_coverage\]/.test(msg)) {
    const o = model.ops;
    if (o.filter_outliers || o.min_answer_chars > 1 || o.max_answer_chars !== undefined) {
      return render({ ...model, ops: { ...o, filter_outliers: false, min_answer_chars: 1, max_answer_chars: undefined } }, args.contract, "relaxed the filters so rare labels survive (label coverage failed)");
    }
    const missing = /never used as an answer: ([^(]+)\(/.exec(msg)?.[1]?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
    if (missing.length) {
      const keys = model.requiredKeys.filter((k) => !missing.includes(k));
      return render({ ...model, requiredKeys: keys }, args.contract, `label(s) ${missing.join(", ")} occur in none of the chosen sources: check.py no longer requires them (the data cannot cover them)`);
    }
  }
  return render(model, args.contract, "regenerated recipe.py and check.py from the manifest");
}

export function repairRecipeBuiltin(args: RepairArgs): Repair | null {
  const fromManifest = readManifest(args.recipe);
  const model = fromManifest ?? modelFromPlan(args);
  if (!model.sources.length && !fromManifest) return null;
  const pristine = fromManifest ? renderRecipe(fromManifest, args.contract) === args.recipe && renderCheck(fromManifest, args.contract) === args.check : false;
  const edited = !pristine;
  const kind = args.error.kind;
  let repair: Rendered | null;

  if (!fromManifest) {
    // Hand-written or model-written code: the built-in coder's own recipe for the plan replaces it.
    const base = kind === "timeout" || kind === "limit" ? { ...model, ops: { ...model.ops, dedup_near: false } } : model;
    repair = render(base, args.contract, `regenerated the recipe from the plan with the built-in coder (${kind}: ${args.error.message.slice(0, 120)})`);
  } else {
    switch (kind) {
      case "missing_field":
        repair = repairMissingField(model, args, edited);
        break;
      case "empty_output":
        repair = edited ? render(model, args.contract, "regenerated the recipe from its manifest (edited code produced no records)") : repairEmpty(model, args);
        break;
      case "timeout":
      case "limit":
        repair = repairSlow(model, args);
        break;
      case "assertion":
        repair = repairAssertion(model, args, edited);
        break;
      case "import":
        if (/datachef_toolkit/.test(args.error.message)) return null; // the sandbox lacks the toolkit: no code change helps
        repair = render(model, args.contract, `regenerated the recipe from its manifest (${args.error.message.slice(0, 120)})`);
        break;
      default: {
        if (edited) {
          repair = render(model, args.contract, `regenerated the recipe from its manifest (${kind}: ${args.error.message.slice(0, 120)})`);
          break;
        }
        const bad = failingSource(model, args.error);
        repair = bad && model.sources.length > 1 ? render(dropSources(model, [bad], `its build failed: ${args.error.message.slice(0, 160)}`), args.contract, `dropped source '${bad}': ${args.error.message.slice(0, 160)}`) : null;
      }
    }
  }
  // A repair that changes nothing would fail the same way again.
  if (!repair || (!edited && fromManifest && essence(repair.model) === essence(fromManifest))) return null;
  return { recipe: repair.recipe, check: repair.check, fix: repair.fix };
}
