import type { UpdraftApp } from "../server/app.ts";
import type { RunConfig } from "../config/run-config.ts";
import type { LoaderPool } from "../dags/loader/loader-pool.ts";
import type { Heartbeat } from "../health/heartbeat.ts";
import type { Logger } from "../log/logger.ts";
import { ensurePrivateDir } from "../store/durable-write.ts";
import type { ChosenSource } from "./dag-source.ts";
import type { HttpListener } from "./http-listener.ts";
import type { LeaderDuties } from "./leader-duties.ts";
import type { Leadership } from "./leadership.ts";

const LOOP_BEAT_MS = 1000;

export interface LifecycleParts {
  config: Pick<RunConfig, "stateDir" | "leaderElection" | "source" | "host" | "port">;
  log: Logger;
  app: UpdraftApp;
  http: HttpListener;
  leadership: Leadership;
  duties: LeaderDuties;
  pool: Pick<LoaderPool, "warm" | "close">;
  /** The event loop's heartbeat, beaten on a timer while the daemon runs. */
  loop: Pick<Heartbeat, "beat">;
  sync: ChosenSource;
  /**
   * What works in the state dir, so only while it is held, started in this order and stopped in
   * reverse: the task log store (`--log-store`, sweeps the logs folder), the notification outbox.
   */
  held: ReadonlyArray<{ start(): void | Promise<void>; stop(): Promise<void> }>;
}

/** The daemon's start-up and shutdown, in the order their guarantees need. */
export class DaemonLifecycle {
  #beat: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;

  constructor(private readonly p: LifecycleParts) {}

  async start(): Promise<void> {
    const { config, log, leadership, sync } = this.p;
    await ensurePrivateDir(config.stateDir);
    // A stop that came during start-up wins: nothing starts behind its back, nothing stays held.
    if (this.#stopping) return;
    await leadership.openStateDir();
    if (this.#stopping) {
      // The stop ran while the lock was being taken, so it released nothing: release it here.
      await leadership.releaseStateDir();
      return;
    }
    this.p.pool.warm();
    this.#beat = setInterval(() => this.p.loop.beat(), LOOP_BEAT_MS);
    await this.p.http.listen(this.p.app, config.host, config.port);
    const { repo, mode } = sync.source.status();
    log.info(
      { url: this.p.http.url(), source: repo, mode, ...leadership.role.logFields() },
      "updraft listening",
    );
    // A stop that came during start-up wins: nothing starts behind its back.
    if (this.#stopping) {
      this.p.http.closeNow();
      return;
    }
    for (const part of this.p.held) await part.start();
    await leadership.role.start();
    if (config.source.kind === "folder") await this.p.duties.startSource();
  }

  /** Stops syncing, scheduling and serving; safe to call more than once. */
  stop(): Promise<void> {
    this.p.duties.halt();
    this.#stopping ??= (async () => {
      const { leadership, sync } = this.p;
      clearInterval(this.#beat);
      // A first clone from a slow remote would hold up halt() (it waits for the leader's start).
      sync.abort();
      await leadership.role.halt();
      await this.p.duties.shutDown();
      for (const part of [...this.p.held].reverse()) await part.stop();
      // Released once nothing schedules here, so a standby takes over without waiting for expiry.
      await leadership.role.release();
      await leadership.releaseStateDir();
      await this.p.pool.close();
      await this.p.http.close();
    })();
    return this.#stopping;
  }
}
