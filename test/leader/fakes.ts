import type { Clock } from "../../src/leader/clock.ts";
import {
  LeaseConflictError,
  type LeaseApi,
  type LeaseRecord,
  type StoredLease,
} from "../../src/leader/lease-api.ts";

interface Timer {
  at: number;
  seq: number;
  callback: () => void;
}

/** Lets pending promise callbacks (the fake API's answers) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A clock the test moves by hand; timers fire in time order, with promises settled in between. */
export class FakeClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start = Date.parse("2026-01-01T00:00:00Z")) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  after(ms: number, callback: () => void): () => void {
    const timer = { at: this.#now + ms, seq: this.#seq++, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await settle();
      const due = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#timers = this.#timers.filter((t) => t !== due);
      this.#now = due.at;
      due.callback();
    }
    this.#now = end;
    await settle();
  }
}

/** One Lease with resourceVersions, shared by several candidates' FakeLeaseApi views. */
export class FakeLeaseServer {
  lease: StoredLease | undefined;
  #version = 0;
  /** Every successful write, with the time it happened (by the fake clock). */
  readonly writes: Array<{ by: string; at: number; record: LeaseRecord }> = [];

  constructor(private readonly clock: FakeClock) {}

  write(by: string, record: LeaseRecord, expected: string | undefined): StoredLease {
    if (expected === undefined && this.lease) throw new LeaseConflictError("already exists");
    if (expected !== undefined && this.lease?.resourceVersion !== expected)
      throw new LeaseConflictError("the object has been modified");
    this.lease = { record: structuredClone(record), resourceVersion: String(++this.#version) };
    this.writes.push({ by, at: this.clock.now(), record: structuredClone(record) });
    return structuredClone(this.lease);
  }

  /** A candidate's API, with faults the test can switch on. */
  client(name: string): FakeLeaseClient {
    return new FakeLeaseClient(this, name);
  }
}

export class FakeLeaseClient implements LeaseApi {
  readonly description = "default/updraft-leader";
  /** Every call fails (a network cut between this candidate and the API server). */
  failing = false;
  /** Only writes fail (say, 500s on update). */
  failWrites = false;
  /** Calls never answer. */
  hanging = false;
  calls = 0;

  constructor(
    private readonly server: FakeLeaseServer,
    private readonly name: string,
  ) {}

  async #answer<T>(value: () => T, write: boolean): Promise<T> {
    this.calls++;
    if (this.hanging) return new Promise<T>(() => {});
    if (this.failing || (write && this.failWrites)) throw new Error("connect ECONNREFUSED");
    return value();
  }

  get(): Promise<StoredLease | undefined> {
    return this.#answer(() => structuredClone(this.server.lease), false);
  }

  create(record: LeaseRecord): Promise<StoredLease> {
    return this.#answer(() => this.server.write(this.name, record, undefined), true);
  }

  replace(record: LeaseRecord, resourceVersion: string): Promise<StoredLease> {
    return this.#answer(() => this.server.write(this.name, record, resourceVersion), true);
  }
}
