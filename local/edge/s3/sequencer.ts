/** Hands out S3-style sequencers that only increase (also across restarts, with the clock). */
export class Sequencer {
  private last = 0n;

  next(): string {
    const now = BigInt(Date.now()) << 16n;
    this.last = now > this.last ? now : this.last + 1n;
    return this.last.toString(16).toUpperCase().padStart(18, '0');
  }
}
