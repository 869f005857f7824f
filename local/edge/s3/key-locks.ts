/**
 * Runs work for a set of keys one at a time per key, so the writes and
 * deletes of one key are applied, and their sequencers handed out, in order.
 */
export class KeyLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(keys: readonly string[], work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const previous = sorted.map((key) => this.tails.get(key) ?? Promise.resolve());
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const key of sorted) this.tails.set(key, mine);
    await Promise.allSettled(previous);
    try {
      return await work();
    } finally {
      release();
      for (const key of sorted) if (this.tails.get(key) === mine) this.tails.delete(key);
    }
  }
}
