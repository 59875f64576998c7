import type { Clock } from "./clock.ts";
import type { LeaseApi, LeaseRecord, StoredLease } from "./lease-api.ts";

/** How long a lease lasts and how often it is renewed (client-go's LeaderElectionConfig). */
export interface LeaseTiming {
  /** A standby takes over this long after it last saw the lease change. */
  leaseDurationMs: number;
  /** A leader that has not renewed for this long stops leading (before the lease can expire). */
  renewDeadlineMs: number;
  /** How often the leader renews and standbys try to acquire. */
  retryPeriodMs: number;
}

/** client-go's defaults: 15 s, 10 s, 2 s. */
export const DEFAULT_LEASE_TIMING: Readonly<LeaseTiming> = Object.freeze({
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
});

/** Standbys wait retryPeriod × (1 + up to this factor) between tries, so they do not move in step. */
export const RETRY_JITTER = 1.2;

/** Why a timing cannot work (client-go refuses the same), or undefined. */
export function leaseTimingProblem(timing: LeaseTiming): string | undefined {
  if (timing.leaseDurationMs <= timing.renewDeadlineMs)
    return "the lease duration must be longer than the renew deadline";
  if (timing.renewDeadlineMs <= RETRY_JITTER * timing.retryPeriodMs)
    return `the renew deadline must be longer than ${RETRY_JITTER} × the retry period`;
  if (timing.retryPeriodMs < 1) return "the retry period must be positive";
  return undefined;
}

export type LeadershipEvent =
  | { type: "started-leading" }
  /** Leadership ended without stop(): the lease could not be renewed in time, or another holder has it. */
  | { type: "stopped-leading"; reason: string }
  /** The lease names a different holder than before ("" once a leader released it). */
  | { type: "new-leader"; holder: string }
  | { type: "attempt-failed"; error: unknown }
  | { type: "release-failed"; error: unknown };

export interface LeaderElectorOptions {
  api: LeaseApi;
  clock: Clock;
  identity: string;
  timing: LeaseTiming;
  onEvent: (event: LeadershipEvent) => void;
  /** For the standbys' jitter; tests pass a constant. */
  random?: () => number;
}

export interface LeadershipStatus {
  isLeader: boolean;
  identity: string;
  /** The holder last seen on the lease; undefined when none (absent or released). */
  holder: string | undefined;
}

type Outcome =
  | { kind: "leading"; lease: StoredLease }
  | { kind: "held"; lease: StoredLease }
  | { kind: "failed"; error: unknown; lease?: StoredLease };

/**
 * Leader election on one Lease, with client-go's semantics: acquire when the lease is absent,
 * released, or has not changed for a lease duration as judged by the local clock since it was
 * observed (remote clocks are never trusted); renew every retry period; step down when no renewal
 * succeeded within the renew deadline, which is shorter than the lease, so the old leader has stopped
 * before anyone else can take over. Once it steps down it does not campaign again (as client-go's
 * Run returns): the owner restarts as a fresh standby.
 */
export class LeaderElector {
  readonly #o: LeaderElectorOptions;
  readonly #random: () => number;
  #running = false;
  #leading = false;
  #observed: StoredLease | undefined;
  #observedAt = 0;
  #cancelNext: (() => void) | undefined;
  #cancelWatchdog: (() => void) | undefined;
  #inFlight: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.#o = options;
    this.#random = options.random ?? Math.random;
  }

  get identity(): string {
    return this.#o.identity;
  }

  /** The lease, as "namespace/name". */
  get lease(): string {
    return this.#o.api.description;
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  status(): LeadershipStatus {
    return {
      isLeader: this.#leading,
      identity: this.#o.identity,
      holder: this.#observed?.record.holderIdentity || undefined,
    };
  }

  /** Starts campaigning; resolves once the first try has finished (leading or not). */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    await this.#cycle();
  }

  /**
   * Stops campaigning and, if this candidate holds the lease, releases it (holder "", one-second
   * duration) so a standby takes over at its next try instead of after the lease expires. Waits at
   * most a retry period for a try under way and another for the release: shutdown has a deadline.
   */
  async stop(): Promise<void> {
    this.#running = false;
    this.#cancelNext?.();
    const { clock, timing } = this.#o;
    if (this.#inFlight) {
      let cancel: (() => void) | undefined;
      await Promise.race([
        this.#inFlight,
        new Promise<void>((resolve) => (cancel = clock.after(timing.retryPeriodMs, resolve))),
      ]);
      cancel?.();
    }
    this.#leading = false;
    this.#cancelWatchdog?.();
    const observed = this.#observed;
    if (observed?.record.holderIdentity !== this.#o.identity) return;
    const now = new Date(clock.now());
    const released: LeaseRecord = {
      ...observed.record,
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
    };
    const outcome = await this.#bounded(
      async () => ({
        kind: "leading" as const,
        lease: await this.#o.api.replace(released, observed.resourceVersion),
      }),
      timing.retryPeriodMs,
    );
    if (outcome.kind === "failed") this.#o.onEvent({ type: "release-failed", error: outcome.error });
    else this.#observe(outcome.lease, now.getTime());
  }

  async #cycle(): Promise<void> {
    this.#cancelNext = undefined;
    if (!this.#running) return;
    const attempt = this.#tryOnce();
    this.#inFlight = attempt;
    await attempt;
    this.#inFlight = undefined;
    if (!this.#running) return;
    const { retryPeriodMs } = this.#o.timing;
    const wait = this.#leading ? retryPeriodMs : retryPeriodMs * (1 + this.#random() * RETRY_JITTER);
    this.#cancelNext = this.#o.clock.after(wait, () => void this.#cycle());
  }

  async #tryOnce(): Promise<void> {
    // When the request was sent: the lease cannot have been renewed later than this.
    const startedAt = this.#o.clock.now();
    const outcome = await this.#bounded(
      () => this.#acquireOrRenew(startedAt),
      this.#o.timing.renewDeadlineMs,
    );
    if (outcome.lease) this.#observe(outcome.lease, startedAt);
    if (!this.#running) return;
    if (outcome.kind === "failed") this.#o.onEvent({ type: "attempt-failed", error: outcome.error });
    if (outcome.kind === "held" && this.#leading) {
      this.#stepDown(`the lease is now held by "${outcome.lease.record.holderIdentity}"`);
    }
    if (outcome.kind !== "leading") return;
    this.#armWatchdog(startedAt);
    if (!this.#leading) {
      this.#leading = true;
      this.#o.onEvent({ type: "started-leading" });
    }
  }

  /** client-go's tryAcquireOrRenew, without side effects: the caller applies the outcome. */
  async #acquireOrRenew(now: number): Promise<Outcome> {
    const { api, identity, timing } = this.#o;
    const current = await api.get();
    const mine = (previous: LeaseRecord | undefined): LeaseRecord => {
      const renewing = previous?.holderIdentity === identity;
      return {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(timing.leaseDurationMs / 1000),
        acquireTime: renewing ? (previous?.acquireTime ?? new Date(now)) : new Date(now),
        renewTime: new Date(now),
        leaseTransitions: previous ? previous.leaseTransitions + (renewing ? 0 : 1) : 0,
      };
    };
    if (!current) return { kind: "leading", lease: await api.create(mine(undefined)) };
    const { holderIdentity, leaseDurationSeconds } = current.record;
    // The lease's age is counted from when this candidate saw it change, by its own clock.
    const seenAt = current.resourceVersion === this.#observed?.resourceVersion ? this.#observedAt : now;
    const valid = holderIdentity !== "" && seenAt + leaseDurationSeconds * 1000 > now;
    if (valid && holderIdentity !== identity) return { kind: "held", lease: current };
    try {
      return { kind: "leading", lease: await api.replace(mine(current.record), current.resourceVersion) };
    } catch (error) {
      return { kind: "failed", error, lease: current };
    }
  }

  /** Runs one API exchange, giving up after `limitMs` (a hung request must not stall the loop). */
  #bounded(exchange: () => Promise<Outcome>, limitMs: number): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const cancel = this.#o.clock.after(limitMs, () =>
        resolve({ kind: "failed", error: new Error(`the API server did not answer within ${limitMs} ms`) }),
      );
      exchange()
        .then(resolve, (error: unknown) => resolve({ kind: "failed", error }))
        .finally(cancel);
    });
  }

  #observe(lease: StoredLease, at: number): void {
    if (lease.resourceVersion === this.#observed?.resourceVersion) return;
    const before = this.#observed?.record.holderIdentity;
    this.#observed = lease;
    this.#observedAt = at;
    if (lease.record.holderIdentity !== before)
      this.#o.onEvent({ type: "new-leader", holder: lease.record.holderIdentity });
  }

  /** Steps down when the renew deadline passes without another successful renewal. */
  #armWatchdog(renewedAt: number): void {
    this.#cancelWatchdog?.();
    const { clock, timing } = this.#o;
    const left = renewedAt + timing.renewDeadlineMs - clock.now();
    this.#cancelWatchdog = clock.after(Math.max(0, left), () =>
      this.#stepDown(`the lease was not renewed within the renew deadline (${timing.renewDeadlineMs} ms)`),
    );
  }

  #stepDown(reason: string): void {
    if (!this.#leading) return;
    this.#leading = false;
    this.#running = false;
    this.#cancelWatchdog?.();
    this.#cancelNext?.();
    this.#o.onEvent({ type: "stopped-leading", reason });
  }
}
