/**
 * Verifier validation by corruption ladders: a good training set (the task's best single-source
 * output) with a growing share of its records damaged in one way at a time; a verifier that
 * sees the damage gives a reward that falls with the share (Spearman rho <= -0.8). Ladders it
 * does not see are flagged, with the known reason when there is one.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { RecipeContext } from "../../graphs/state.js";
import type { ChatRecord } from "../data/chat.js";
import type { TaskContract } from "../task/contract.js";
import { corrupt, LADDERS, ladderApplies, type LadderKind } from "./corrupt.js";
import { readChat } from "./proxy/proxy.js";
import type { EvalTask } from "./run-recipe.js";
import { round, spearman } from "./stats.js";
import { recordScorer } from "./score-records.js";

export const LADDER_SHARES = [0, 0.1, 0.2, 0.3, 0.5, 0.7, 1];
export const RHO_THRESHOLD = -0.8;

export interface LadderResult {
  ladder: LadderKind;
  applicable: boolean;
  /** Why the ladder cannot be built for this task. */
  notApplicable?: string;
  shares: number[];
  rewards: number[];
  /** Records actually changed at each share. */
  changed: number[];
  rho: number | null;
  /** The verifier does not see this corruption (rho > -0.8, or no variation at all). */
  flagged: boolean;
  /** The known reason for a flagged ladder. */
  blindSpot?: string;
}

export interface TaskLadders {
  task: string;
  answerKind: string;
  judge: string;
  base: { label: string; path: string; records: number; reward: number };
  ladders: LadderResult[];
}

/** Why the built-in rule judge cannot see a corruption, where that is known and by design. */
export function knownBlindSpot(ladder: LadderKind, contract: TaskContract, judge: string): string | undefined {
  if (judge !== "builtin-rules") return undefined;
  const a = contract.answer.kind;
  if (ladder === "duplicates")
    return "the reward is the mean grade of independently sampled records, and an exact copy of a good record grades as good; the duplicate rate is reported beside the reward, not scored";
  if (ladder === "wrong_answer" && a === "option_letter")
    return "option letters cannot be checked without a model: the rule judge has no answer key for new questions (it checks only that the letter is listed and agrees with any option text written next to it)";
  if (ladder === "wrong_answer" && a === "label")
    return "a swapped label is caught only where the calibrated reference classifier is confident; elsewhere label correctness cannot be checked without a model";
  if (ladder === "wrong_answer" && a === "boxed") return "boxed final answers are not re-derived: the rule judge has no reference answer for new problems";
  if (ladder === "wrong_answer" && (a === "marker" || a === "number"))
    return "a perturbed final number is caught only when the solution shows work (an equation or calculation) it can be checked against; short or bare answers have no reference for new problems";
  if (ladder === "off_domain")
    return "records of another task that fit this task's answer format and share its vocabulary pass the format, pairing and topic checks";
  if (ladder === "format" && a === "code") return "the code format check extracts the code from around prose, so a chatty, unfenced wrapper is not a format error to it";
  return undefined;
}

function spread<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  const step = xs.length / n;
  return Array.from({ length: n }, (_, i) => xs[Math.floor(i * step)]!);
}

export async function runLadders(args: {
  task: EvalTask;
  base: { label: string; path: string; reward: number };
  pool: ChatRecord[];
  ctx: RecipeContext;
  dir: string;
  maxRecords?: number;
  shares?: number[];
  ladders?: readonly LadderKind[];
  log?: (line: string) => void;
}): Promise<TaskLadders> {
  const { task } = args;
  const id = task.loaded.spec.id;
  const contract = task.prepared.verifierContract;
  const shares = args.shares ?? LADDER_SHARES;
  const records = spread(readChat(args.base.path), args.maxRecords ?? 2000);
  const scorer = await recordScorer(task, args.ctx);
  const judgeName = scorer.judgeName;
  const dir = path.join(args.dir, id);
  mkdirSync(dir, { recursive: true });
  const ladders: LadderResult[] = [];
  for (const ladder of args.ladders ?? LADDERS) {
    const why = ladderApplies(ladder, contract, args.pool.length > 0);
    if (why) {
      ladders.push({ ladder, applicable: false, notApplicable: why, shares: [], rewards: [], changed: [], rho: null, flagged: false });
      continue;
    }
    const rewards: number[] = [];
    const changed: number[] = [];
    for (const share of shares) {
      const c = corrupt(records, ladder, share, { contract, seed: args.ctx.seed + 17, pool: args.pool });
      rewards.push(round(await scorer.score(c.records, path.join(dir, `${ladder}-${Math.round(share * 100)}.jsonl`))));
      changed.push(c.changed);
    }
    const rho = spearman(shares, rewards);
    const flagged = rho === null || rho > RHO_THRESHOLD;
    const blind = flagged ? knownBlindSpot(ladder, contract, judgeName) : undefined;
    ladders.push({ ladder, applicable: true, shares, rewards, changed, rho: rho === null ? null : round(rho), flagged, ...(blind ? { blindSpot: blind } : {}) });
    args.log?.(`${id} ${ladder}: rewards ${rewards.map((r) => r.toFixed(2)).join(" ")}  rho ${rho === null ? "n/a" : rho.toFixed(3)}${flagged ? "  FLAGGED" : ""}`);
  }
  return { task: id, answerKind: contract.answer.kind, judge: judgeName, base: { ...args.base, records: records.length }, ladders };
}
