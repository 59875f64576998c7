import type { Logger } from "../log/logger.ts";

export interface ShutdownOptions {
  /** After this long the process exits even if the graceful stop has not finished. */
  timeoutMs: number;
  exit: (code: number) => void;
}

/**
 * Ends the daemon process: `stop()` (scheduling stops, state is persisted, watches close, running
 * tasks are left to be adopted, the lease is released), then `exit(code)`. A stop that outlasts the
 * deadline, or a second request (say, a second Ctrl-C), exits at once with 1.
 */
export function gracefulShutdown(
  daemon: { stop(): Promise<void> },
  log: Logger,
  options: ShutdownOptions,
): (reason: string, code: number) => void {
  let started = false;
  return (reason, code) => {
    if (started) {
      log.warn({ reason }, "shutdown requested again while stopping: exiting now");
      return options.exit(1);
    }
    started = true;
    const startedAt = Date.now();
    log.info({ reason, timeoutMs: options.timeoutMs }, "shutting down");
    const deadline = setTimeout(() => {
      log.error(
        { reason, timeoutMs: options.timeoutMs },
        "graceful stop did not finish within the shutdown timeout: exiting anyway",
      );
      options.exit(1);
    }, options.timeoutMs);
    daemon.stop().then(
      () => {
        clearTimeout(deadline);
        log.info({ reason, durationMs: Date.now() - startedAt, exitCode: code }, "stopped");
        options.exit(code);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        log.error({ reason, err: error }, "graceful stop failed");
        options.exit(1);
      },
    );
  };
}
