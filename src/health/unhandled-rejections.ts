import type { Logger } from "../log/logger.ts";

/**
 * The daemon's last resort for a promise rejection nobody handled: a bug, not a task's or a user's
 * doing. Instead of Node's default (exit at once, running tries and all), it is logged with its
 * stack, counted for `/metrics`, and named by `/healthz`, which stays 503 so that a supervisor
 * restarts the daemon when it suits (a liveness probe) rather than mid-write.
 */
export class UnhandledRejections {
  #count = 0;
  #first: string | undefined;

  constructor(
    private readonly log: Logger,
    private readonly counted: () => void = () => undefined,
  ) {}

  get count(): number {
    return this.#count;
  }

  record(reason: unknown): void {
    this.#count += 1;
    this.#first ??= describe(reason);
    this.counted();
    this.log.error(
      { err: reason instanceof Error ? reason : new Error(String(reason)), unhandledRejections: this.#count },
      "unhandled promise rejection (a bug in updraft; the daemon carries on but reports itself unhealthy)",
    );
  }

  /** Undefined while there was none; otherwise the `/healthz` problem. */
  problem(): string | undefined {
    if (this.#count === 0) return undefined;
    return `${this.#count} unhandled promise rejection(s) since start, the first: ${this.#first}`;
  }
}

/** Routes `emitter`'s (the process's) `unhandledRejection` events to `sink`; returns the uninstaller. */
export function catchUnhandledRejections(
  emitter: Pick<NodeJS.EventEmitter, "on" | "off">,
  sink: (reason: unknown) => void,
): () => void {
  const listener = (reason: unknown) => sink(reason);
  emitter.on("unhandledRejection", listener);
  return () => emitter.off("unhandledRejection", listener);
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`.slice(0, 500);
  return String(reason).slice(0, 500);
}
