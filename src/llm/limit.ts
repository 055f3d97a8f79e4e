/** A counting semaphore: at most `limit` tasks of one kind in flight, the rest queue in order. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  /** Highest number of tasks seen in flight at once (for tests and benchmarks). */
  peak = 0;

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${limit}`);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // a released slot is handed straight to the next waiter, so a newcomer cannot slip in between
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.active++;
    this.peak = Math.max(this.peak, this.active);
    try {
      return await fn();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** Maps fn over items with at most `limit` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const limiter = new Limiter(Math.max(1, limit));
  return Promise.all(items.map((item, i) => limiter.run(() => fn(item, i))));
}
