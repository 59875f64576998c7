import type { Logger } from "../log/logger.ts";
import type { LeaderView } from "./leader-view.ts";
import { type LeadershipLogState, logLeadershipEvent } from "./leadership-log.ts";
import type { LeaderElector, LeadershipEvent } from "./leader-elector.ts";

export interface LeaderRoleOptions {
  /** Builds the elector (leader election on); absent: this replica always leads. */
  elect?: (onEvent: (event: LeadershipEvent) => void) => LeaderElector;
  log: Logger;
  /** Re-reads the state dir, which a previous (or a sharing) leader wrote; `owner` when about to lead. */
  loadState: (owner: boolean) => Promise<void>;
  /** Told this replica's view after each leadership event (the daemon's `leadership:changed`). */
  onChange?: (view: LeaderView) => void;
  /** Claims the state dir for this leader (its lock), before its state is read for scheduling. */
  claimState?: () => Promise<void>;
  /** Starts what only the leader runs: the scheduler (which adopts running tasks) and the sync. */
  startLeading: () => Promise<void>;
  stopLeading: () => Promise<void>;
  /** Leadership ended (or could not start); scheduling has stopped. */
  onLost: (reason: string) => void;
  /** How often a standby re-reads the state dir so its page stays current. */
  refreshMs: number;
}

/**
 * Whether this replica schedules: always without leader election, else while it holds the Lease.
 * Runs the leader's start-up on acquiring, stops scheduling at once on losing, and keeps the
 * loads of the state dir in order (a standby's refresh never lands after the new leader's load).
 */
export class LeaderRole {
  readonly #o: LeaderRoleOptions;
  readonly #elector: LeaderElector | undefined;
  readonly #logState: LeadershipLogState = { lastStandbyWarnMs: Number.NEGATIVE_INFINITY };
  #leading: Promise<void> | undefined;
  #active = false;
  #halted = false;
  #loads: Promise<void> = Promise.resolve();
  #refresh: NodeJS.Timeout | undefined;

  constructor(options: LeaderRoleOptions) {
    this.#o = options;
    this.#elector = options.elect?.((event) => this.#onEvent(event));
  }

  /** This replica schedules and accepts writes. */
  get active(): boolean {
    return this.#active && (!this.#elector || this.#elector.isLeader);
  }

  /** Fields for the "listening" log line. */
  logFields(): Record<string, string> {
    return this.#elector ? { identity: this.#elector.identity, lease: this.#elector.lease } : {};
  }

  view(): LeaderView {
    if (!this.#elector) return { enabled: false, isLeader: true, identity: null, holder: null };
    const status = this.#elector.status();
    return { enabled: true, isLeader: this.active, identity: status.identity, holder: status.holder ?? null };
  }

  /** Leads at once without election; with it, settles the first try before returning. */
  async start(): Promise<void> {
    // Halted before it started (a stop during start-up): no campaign, no timers left behind.
    if (this.#halted) return;
    if (!this.#elector) return this.#lead();
    this.#refresh = setInterval(() => this.#refreshStandby(), this.#o.refreshMs);
    await this.#elector.start();
    await this.#leading?.catch(() => undefined);
  }

  /** No more leading starts from here; waits for a start under way (the caller then stops scheduling). */
  async halt(): Promise<void> {
    this.#halted = true;
    clearInterval(this.#refresh);
    await this.#leading?.catch(() => undefined);
  }

  /** Stops campaigning and releases the Lease: call once nothing schedules here any more. */
  async release(): Promise<void> {
    this.#active = false;
    await this.#elector?.stop();
  }

  #stillLeading(): boolean {
    return !this.#halted && (!this.#elector || this.#elector.isLeader);
  }

  #lead(): Promise<void> {
    this.#leading ??= (async () => {
      if (this.#elector) {
        await this.#o.claimState?.();
        await this.#load(() => true, true);
      }
      if (!this.#stillLeading()) return;
      await this.#o.startLeading();
      this.#active = true;
      this.#changed();
      if (!this.#stillLeading()) {
        this.#active = false;
        await this.#o.stopLeading();
      }
    })();
    return this.#leading;
  }

  #load(when: () => boolean, owner: boolean): Promise<void> {
    this.#loads = this.#loads
      .catch(() => undefined)
      .then(() => (when() ? this.#o.loadState(owner) : undefined));
    return this.#loads;
  }

  #refreshStandby(): void {
    if (this.#leading || this.#halted) return;
    this.#load(() => !this.#leading && !this.#halted, false).catch((error: unknown) =>
      this.#o.log.warn({ err: error }, "standby: could not re-read the state directory"),
    );
  }

  #onEvent(event: LeadershipEvent): void {
    if (!this.#elector) return;
    logLeadershipEvent(this.#o.log, this.#elector, event, this.#logState);
    if (event.type === "started-leading") {
      this.#lead().catch((error: unknown) => {
        this.#o.log.error({ err: error }, "could not start scheduling after acquiring the lease");
        this.#o.onLost(`could not start scheduling: ${(error as Error).message}`);
      });
    }
    if (event.type === "stopped-leading") {
      // Stop at once; the CLI then exits so this replica restarts as a fresh standby.
      this.#active = false;
      void this.#o.stopLeading();
      this.#o.onLost(event.reason);
    }
    if (event.type === "new-leader" || event.type === "stopped-leading") this.#changed();
  }

  #changed(): void {
    if (this.#elector) this.#o.onChange?.(this.view());
  }
}
