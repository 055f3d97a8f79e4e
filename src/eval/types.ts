/** Shapes shared by the evaluation harness, its journal, eval.json and the HTML page. */

/** What produced a recipe: the policy under evaluation or one of the baselines. */
export type VariantKind = "policy" | "single-source" | "all-sources" | "random-plan";

export interface Variant {
  kind: VariantKind;
  /** Journal name: "policy", "single:<source>", "all-sources", "random-plan". */
  name: string;
  /** The source of a single-source baseline. */
  source?: string;
  /** Seeds this variant is sampled at (deterministic baselines run once). */
  seeds: number[];
}

/** One finished recipe, as the journal keeps it. */
export interface RecipeRow {
  task: string;
  variant: string;
  kind: VariantKind;
  source?: string;
  seed: number;
  status: string;
  /** The verifier's reward (negative penalties for failed gates). */
  reward: number;
  /** Contribution to DVS: the reward when status is ok, else 0. */
  score: number;
  records: number;
  attempts: number;
  /** The first execution produced data and passed check.py. */
  firstAttemptOk: boolean;
  /** Some execution (after repairs) did. */
  executed: boolean;
  grades: Record<string, number>;
  /** The independent 13-gram check of the produced data (src/eval/leak.ts). */
  leaks: { strict: number; substantial: number; rate: number };
  /** What the verifier's own gate counted (for comparison with `leaks`). */
  verifierContaminated: number;
  sources: string[];
  /** Wall time of this recipe (the task's shared preparation is not included). */
  wallMs: number;
  timings: Record<string, number>;
  outDir: string;
  reason?: string;
  /** Sources and sizes of the plan, to count distinct plans. */
  planKey?: string;
  finishedAt: string;
}

/** DVS@N and friends over the recipes of one (task, variant). */
export interface VariantSummary {
  n: number;
  dvs: number;
  dvsStd: number;
  scores: number[];
  execFirstAttempt: number;
  execAfterRepair: number;
  /** Mean records over recipes that produced data. */
  meanRecords: number;
  /** Share of produced records that carry a substantial benchmark copy (independent check). */
  contaminationRate: number;
  /** Recipes with at least one substantially leaked record. */
  leakyRecipes: number;
  grades: Record<string, number>;
  statuses: Record<string, number>;
  meanWallMs: number;
  distinctPlans: number;
}

export interface SingleSourceSummary {
  /** DVS of each source over its seeds. */
  perSource: { source: string; dvs: number; status: string; records: number; n: number }[];
  best?: { source: string; dvs: number };
  mean: number;
  /** Sources the built-in coder cannot map onto the benchmark format: not run. */
  skipped: { source: string; reason: string }[];
}

export interface TaskEval {
  task: string;
  spec: string;
  answerKind: string;
  prepareMs: number;
  policy?: VariantSummary;
  baselines: {
    singleSource?: SingleSourceSummary;
    allSources?: VariantSummary;
    randomPlan?: VariantSummary;
  };
  /** Policy DVS with the best single source = 100. */
  normalizedDvs?: number;
  beats?: { allSources?: boolean; randomPlan?: boolean };
  downstream?: import("./downstream.js").DownstreamResult;
}

export interface EvalResult {
  version: 1;
  createdAt: string;
  policy: string;
  seeds: number[];
  samples: number;
  maxAttempts: number;
  concurrency: number;
  wallMs: number;
  /** Recipes taken from the journal of an earlier, interrupted run. */
  resumed: number;
  ran: number;
  tasks: TaskEval[];
  overall: {
    policy?: { dvs: number; execFirstAttempt: number; execAfterRepair: number; meanRecords: number; contaminationRate: number; meanWallMs: number; grades: Record<string, number> };
    singleSourceBest?: number;
    allSources?: number;
    randomPlan?: number;
    normalizedDvs?: number;
    beatsAllSources?: number;
    beatsRandomPlan?: number;
    beatsBoth?: number;
    tasks: number;
  };
  downstream?: { task: string; pearson: number | null; spearman: number | null; datasets: number; recipesOnly: { n: number; pearson: number | null; spearman: number | null } }[];
  langsmith?: { experiments: string[]; dataset: string; runs: number } | { error: string };
  recipes: RecipeRow[];
}
