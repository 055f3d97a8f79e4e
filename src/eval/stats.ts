/** Small statistics for evaluations: means, DVS, Pearson and Spearman (ties get average ranks). */

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

/** Population standard deviation (the spread of the N recipes actually sampled). */
export function std(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
}

/**
 * One recipe's contribution to DVS@N: its verifier score when it produced usable data, else 0
 * (the paper counts failed recipes as 0; the negative RL penalties are not DVS).
 */
export function dvsScore(status: string, reward: number): number {
  return status === "ok" ? Math.max(0, reward) : 0;
}

/** Pearson's r; null when either side has no variance or fewer than 3 points. */
export function pearson(xs: number[], ys: number[]): number | null {
  if (xs.length !== ys.length) throw new Error(`pearson: ${xs.length} xs but ${ys.length} ys`);
  if (xs.length < 3) return null;
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < xs.length; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  if (sxx < 1e-18 || syy < 1e-18) return null;
  return sxy / Math.sqrt(sxx * syy);
}

/** 1-based ranks; tied values share the mean of their ranks. */
export function ranks(xs: number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = r;
    i = j + 1;
  }
  return out;
}

/** Spearman's rho: Pearson on ranks (correct with ties); null when undefined. */
export function spearman(xs: number[], ys: number[]): number | null {
  if (xs.length !== ys.length) throw new Error(`spearman: ${xs.length} xs but ${ys.length} ys`);
  return pearson(ranks(xs), ranks(ys));
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
