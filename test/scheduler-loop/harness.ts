import path from "node:path";
import { vi } from "vitest";
import type { z } from "zod";
import { DagRegistry } from "../../src/dags/dag-registry.ts";
import type { DagSet } from "../../src/dags/dag-set.ts";
import { type DagDefinition, dagSchema } from "../../src/dags/spec/dag-schema.ts";
import type { PodTaskInput } from "../../src/dags/spec/task-schema.ts";
import type {
  Executor,
  ExecutorEvent,
  TaskKey,
  TaskLaunch,
  TaskResult,
} from "../../src/executor/executor.ts";
import { Heartbeat } from "../../src/health/heartbeat.ts";
import { createLogger } from "../../src/log/logger.ts";
import { createDaemonEvents, type DaemonEventBus } from "../../src/events/daemon-events.ts";
import { pageLinks } from "../../src/server/page/page-links.ts";
import type { Channel, Notification, NotificationSink } from "../../src/notify/notification.ts";
import { notifyOnEvents } from "../../src/notify/notify-events.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import type { Run } from "../../src/runs/run-model.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import type { StateWriter } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";

type DagInput = z.input<typeof dagSchema>;

/** The scheduler's loop wakes at least this often in these tests, unless a test says otherwise. */
export const MAX_SLEEP_MS = 60_000;
export const PUBLIC_URL = "http://updraft.test";

/** A pod task as a DAG module writes it; only the id is required. */
export function pod(id: string, fields: Partial<Omit<PodTaskInput, "kind" | "id">> = {}): PodTaskInput {
  return { kind: "pod", id, image: "busybox:1.36", command: ["echo", id], ...fields };
}

/** A DAG through the real schema, as the loader would produce it. */
export function dag(id: string, fields: Partial<Omit<DagInput, "kind" | "id">> = {}): DagDefinition {
  return dagSchema.parse({ kind: "dag", id, schedule: null, tasks: [pod("only")], ...fields });
}

export function dagSet(...definitions: DagDefinition[]): DagSet {
  return {
    root: "/x",
    dags: definitions.map((definition) => ({ dag: definition, file: `${definition.id}.ts`, line: 1 })),
    errors: [],
    modules: new Map(),
    scans: new Map(),
  };
}

export function keyOf(key: TaskKey): TaskKey {
  return { dagId: key.dagId, runId: key.runId, taskId: key.taskId, try: key.try };
}

/**
 * An in-memory Executor: records start and cancel calls; the test says when a try runs, finishes
 * or fails. A cancel ends the try with a `failed` event carrying the reason, as the contract says.
 */
export class FakeExecutor implements Executor {
  readonly name = "kubernetes" as const;
  readonly notes: readonly string[] | undefined;
  readonly starts: TaskLaunch[] = [];
  readonly cancels: Array<{ key: TaskKey; reason: string }> = [];
  readonly #listeners = new Set<(event: ExecutorEvent) => void>();

  constructor(notes?: readonly string[]) {
    this.notes = notes;
  }

  async start(launch: TaskLaunch): Promise<void> {
    this.starts.push(launch);
  }

  async cancel(key: TaskKey, reason: string): Promise<void> {
    this.cancels.push({ key: keyOf(key), reason });
    this.emit({ type: "failed", key: keyOf(key), exitCode: null, reason });
  }

  subscribe(listener: (event: ExecutorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {}

  emit(event: ExecutorEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  running(key: TaskKey): void {
    this.emit({ type: "running", key: keyOf(key), podName: null });
  }

  finish(key: TaskKey, result: TaskResult = { present: false }): void {
    this.emit({ type: "finished", key: keyOf(key), exitCode: 0, result });
  }

  fail(key: TaskKey, exitCode = 1): void {
    this.emit({ type: "failed", key: keyOf(key), exitCode, reason: `exit code ${exitCode}` });
  }

  /** The keys of every start call, in order. */
  startedKeys(): TaskKey[] {
    return this.starts.map(keyOf);
  }

  /** The last start call for a task of a run. */
  launchOf(runId: string, taskId: string): TaskLaunch {
    const launch = this.starts.findLast((start) => start.runId === runId && start.taskId === taskId);
    if (!launch)
      throw new Error(`no start call for ${runId}/${taskId}; calls: ${JSON.stringify(this.startedKeys())}`);
    return launch;
  }
}

export interface HarnessOptions {
  /** The state dir (a real RunStore in it). */
  stateDir: string;
  dags: DagDefinition[];
  notifyUrl?: string;
  /** Where notifications are enqueued (default: `notifications.sent` records them). */
  sink?: NotificationSink;
  /** The scheduler's maxSleepMs (default MAX_SLEEP_MS); `advance` steps by it. */
  maxSleepMs?: number;
  /** How the store writes its files (a fake that fails, say). */
  writer?: StateWriter;
  /** What the fake executor asks to note on each run (Executor.notes). */
  executorNotes?: string[];
}

export interface Harness {
  store: RunStore;
  registry: DagRegistry;
  executor: FakeExecutor;
  scheduler: Scheduler;
  /** The notifications enqueued (by the default sink), and a wait for those under way. */
  notifications: {
    sent: Array<{ channels: Channel[]; notification: Notification }>;
    settled(): Promise<void>;
  };
  heartbeat: Heartbeat;
  /** The bus the scheduler reports on; failure notifications are subscribed to it. */
  events: DaemonEventBus;
  /** Starts the scheduler and waits until it is idle. */
  start(): Promise<void>;
  /** Waits until everything the scheduler has queued (ticks, events, follow-ups) is done. */
  settle(): Promise<void>;
  /** Moves the fake clock forward, firing due timers and letting the scheduler finish each step. */
  advance(ms: number): Promise<void>;
  /** A run, active or archived. */
  run(runId: string): Run;
  /** The DAG's runs, oldest first. */
  runsOf(dagId: string): Run[];
}

/**
 * A Scheduler over a real RunStore and DagRegistry, a FakeExecutor and fake timers (install them,
 * Date included, before calling this): its `now` is the fake clock.
 */
export async function schedulerHarness(options: HarnessOptions): Promise<Harness> {
  const maxSleepMs = options.maxSleepMs ?? MAX_SLEEP_MS;
  const silent = createLogger({ secrets: [], level: "silent" });
  const store = await RunStore.open(options.stateDir, options.writer ? { writer: options.writer } : {});
  const registry = new DagRegistry();
  registry.apply(dagSet(...options.dags), { commit: null, snapshot: "/x", prefix: "" });
  const executor = new FakeExecutor(options.executorNotes);
  const heartbeat = new Heartbeat("the scheduler loop", 30_000, () => Date.now());
  const sent: Harness["notifications"]["sent"] = [];
  const sink: NotificationSink = options.sink ?? {
    enqueue: async (channels, notification) => void sent.push({ channels: [...channels], notification }),
  };
  const events = createDaemonEvents();
  const scheduler = new Scheduler({
    store,
    registry,
    executor,
    logsDir: path.join(options.stateDir, "logs"),
    log: silent,
    heartbeat,
    events,
    now: () => new Date(Date.now()),
    maxSleepMs,
  });
  const notifying = notifyOnEvents(events, {
    sink,
    daemon: {
      defaults: options.notifyUrl ? [{ type: "webhook", url: options.notifyUrl }] : [],
      onSyncFailure: false,
      commitAuthor: false,
    },
    links: pageLinks(() => PUBLIC_URL),
    mask: new SecretMask(),
    log: silent,
    definitionOf: (run) => scheduler.definitionOf(run),
    logFile: (run, taskId, tryNumber) => scheduler.logFile(run, taskId, tryNumber),
    now: () => new Date(Date.now()),
  });

  const fingerprint = () =>
    JSON.stringify([store.state, store.recentRuns(1000), executor.starts.length, executor.cancels.length]);
  const settle = async () => {
    let last = "";
    for (let round = 0; round < 50; round++) {
      await vi.advanceTimersByTimeAsync(0);
      // All scheduler work is serialised: a request that fails at once (no such run) resolves only
      // after everything queued before it. Repeat until a round changes nothing.
      await scheduler.clear("__settle__", "__settle__").catch(() => undefined);
      const current = fingerprint();
      if (current === last) return;
      last = current;
    }
    throw new Error("the scheduler did not settle in 50 rounds");
  };
  const advance = async (ms: number) => {
    for (let left = ms; left > 0; left -= maxSleepMs) {
      await vi.advanceTimersByTimeAsync(Math.min(left, maxSleepMs));
      await settle();
    }
  };
  const run = (runId: string) => {
    const found = store.getRun(runId);
    if (!found) throw new Error(`no run "${runId}"`);
    return found;
  };
  return {
    store,
    registry,
    executor,
    scheduler,
    notifications: { sent, settled: () => notifying.settled() },
    heartbeat,
    events,
    async start() {
      await scheduler.start();
      await settle();
    },
    settle,
    advance,
    run,
    runsOf: (dagId) => store.runsOf(dagId, 1000).reverse(),
  };
}
