import type { Executor } from "../executor/executor.ts";
import type { Scheduler } from "../scheduler/scheduler.ts";
import type { RunStore } from "../store/run-store.ts";
import type { DagSource } from "../sync/sync-status.ts";

export interface DutyParts {
  scheduler: Pick<Scheduler, "start" | "stop">;
  source: Pick<DagSource, "start" | "stop">;
  executor: Pick<Executor, "close">;
  store: Pick<RunStore, "settle">;
}

/**
 * What only the leader runs: the scheduler (which adopts running tasks), then the sync. Losing
 * the lead stops scheduling and closes the executor; the sync starts at most once, never after halt.
 */
export class LeaderDuties {
  #scheduling = false;
  #sourceStarted = false;
  #halted = false;

  constructor(private readonly parts: DutyParts) {}

  /** The scheduler loop runs here (health judges its heartbeat only then). */
  get scheduling(): boolean {
    return this.#scheduling;
  }

  async startLeading(): Promise<void> {
    await this.parts.scheduler.start();
    this.#scheduling = true;
    await this.startSource();
  }

  async stopLeading(): Promise<void> {
    this.#scheduling = false;
    await this.parts.scheduler.stop();
    // No sweeps or queued pod creates either: the next leader's pods are not ours to judge.
    await this.parts.executor.close();
  }

  /** Starts the sync once; a stop that came first wins (nothing starts behind its back). */
  async startSource(): Promise<void> {
    if (this.#sourceStarted || this.#halted) return;
    this.#sourceStarted = true;
    await this.parts.source.start();
  }

  /** A stop began: no sync starts from here. */
  halt(): void {
    this.#halted = true;
  }

  /** At shutdown, once no leadership starts any more (the role halted). */
  async shutDown(): Promise<void> {
    const owned = this.#scheduling;
    // Scheduling stops first: the step under way finishes and is persisted, nothing new starts.
    await this.parts.scheduler.stop();
    await this.parts.source.stop();
    // Running tasks keep running (watches close): a restarted daemon or the next leader adopts them.
    await this.parts.executor.close();
    // Only the replica that wrote the state: state.json then holds it all (backups, a downgrade).
    if (owned) await this.parts.store.settle();
  }
}
