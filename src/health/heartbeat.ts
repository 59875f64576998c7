/** Records when a loop last made progress, so `/healthz` can tell a stalled loop from a live one. */
export class Heartbeat {
  #last: number;

  constructor(
    readonly name: string,
    readonly deadlineMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#last = now();
  }

  beat(): void {
    this.#last = this.now();
  }

  /** Undefined while alive; otherwise why not. */
  stalledFor(): string | undefined {
    const silent = this.now() - this.#last;
    return silent > this.deadlineMs
      ? `${this.name} has not made progress for ${Math.round(silent / 1000)}s (deadline ${this.deadlineMs / 1000}s)`
      : undefined;
  }
}
