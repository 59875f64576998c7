import { appendFile } from "node:fs/promises";
import type { V1Pod } from "@kubernetes/client-node";
import type { Logger } from "../log/logger.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import {
  type Executor,
  type ExecutorEvent,
  type TaskKey,
  type TaskLaunch,
  keyString,
} from "../executor/executor.ts";
import { recordedOutcome, recordOutcome } from "../executor/outcome-record.ts";
import { PacedDelivery } from "../executor/paced-delivery.ts";
import { extractResult } from "../executor/result-marker.ts";
import { LOG_FILE_MODE, makeLogDir } from "../executor/task-log.ts";
import { CallLimit } from "./call-limit.ts";
import { containerLogTail } from "./container-log-tail.ts";
import { isTransient, type KubeApi } from "./kube-api.ts";
import { LogFollower } from "./log-follower.ts";
import { CONTAINER } from "./pod-spec.ts";
import type { PodTemplate } from "./pod-template.ts";
import { type PodVerdict, podVerdict } from "./pod-verdict.ts";
import { PodWatcher } from "./pod-watcher.ts";
import { keyFromAnnotations, MANAGED_SELECTOR } from "./task-labels.ts";
import { taskPod } from "./task-pod.ts";

/** How often, at most, a burst of events goes to the listeners (see `eventIntervalMs`). */
const EVENT_INTERVAL_MS = 200;

export interface KubernetesExecutorOptions {
  api: KubeApi;
  /** `--namespace`, else the kubeconfig context's, else `default`. */
  defaultNamespace: string;
  /** Whether state still expects this try; the sweep deletes managed Pods for which it does not. */
  tryIsActive: (key: TaskKey) => boolean;
  log?: Logger;
  /** Masks every known secret in task output and pod events before they reach the log file. */
  mask?: SecretMask;
  now?: () => number;
  relistMs?: number;
  sweepMs?: number;
  configErrorGraceMs?: number;
  /** Grace period when deleting a Pod to cancel its try. */
  cancelGraceSeconds?: number;
  /** Delay before asking again after the API refused to take a create (5xx, timeouts). */
  createRetryMs?: number;
  /** Pod creates in flight at once (default 32); the others wait their turn. */
  createConcurrency?: number;
  /** `--pod-template`: the base of every task Pod. */
  podTemplate?: PodTemplate;
  /**
   * Events go to the listeners at most once per this many ms (default 200; 0: each at once). A
   * lone event goes at once; a burst goes together, as one state write (paced-delivery.ts). 200
   * rather than 100: under a burst of 2,000 Pods, 0.3–0.7 ms less CPU per task (fewer state
   * writes, each checking every active run), for up to 200 ms more before a state change.
   */
  eventIntervalMs?: number;
}

interface Tracked {
  launch: TaskLaunch;
  namespace: string;
  podName: string;
  startedMs: number;
  reportedRunning: boolean;
  /** Its log folder was made for it (empty): the log follower has no cursor to look for. */
  freshFolder?: boolean;
  done: boolean;
  /**
   * The outcome emitted, not yet acknowledged as stored (`stored`): until then the Pod is the try's
   * durable record and stays (the sweep and a second start leave it alone), and the outcome is
   * written down if its Pod goes before that.
   */
  outcome?: ExecutorEvent;
  /** The Pod went (a cancel, someone else's delete, the Pod GC): it no longer stands for the outcome. */
  podGone?: boolean;
  /** The outcome is written as a record (start() replays it). */
  recorded?: boolean;
  cancelReason?: string;
  follower?: LogFollower;
  recheck?: NodeJS.Timeout;
  lastPod?: V1Pod;
}

const EVENT_REASONS = new Set([
  "Failed",
  "BackOff",
  "FailedScheduling",
  "FailedMount",
  "FailedAttachVolume",
  "Evicted",
  "Killing",
  "OOMKilling",
]);

/**
 * Runs every try as one Pod (no worker pod in between), named deterministically so that a create
 * after a crash meets `409 AlreadyExists` and adopts the Pod instead of starting a second one.
 * Status comes from one shared watch per namespace; logs are followed into the try's log file.
 * A finished Pod is deleted only once the scheduler has stored its outcome (`stored`): a restart
 * then finds the outcome in state or the Pod to adopt, never neither (which would run it again).
 */
export class KubernetesExecutor implements Executor {
  readonly name = "kubernetes" as const;
  readonly #o: KubernetesExecutorOptions;
  readonly #now: () => number;
  readonly #listeners = new Set<(event: ExecutorEvent) => void>();
  readonly #byKey = new Map<string, Tracked>();
  readonly #byPod = new Map<string, Tracked>();
  readonly #watchers = new Map<string, PodWatcher>();
  readonly #watchReady = new Map<string, Promise<void>>();
  readonly #sweep: NodeJS.Timeout;
  /** Pods whose delete this executor has asked for and not heard back about. */
  readonly #deleting = new Set<string>();
  readonly #creates: CallLimit;
  readonly #events: PacedDelivery<ExecutorEvent>;
  #closed = false;

  constructor(options: KubernetesExecutorOptions) {
    this.#o = options;
    this.#creates = new CallLimit(options.createConcurrency ?? 32);
    this.#now = options.now ?? Date.now;
    this.#events = new PacedDelivery((events) => {
      for (const event of events)
        for (const listener of this.#listeners) {
          // A listener's throw costs that one call: not the rest of a burst, nor the daemon (the
          // pacer's timer has no caller to take it).
          try {
            listener(event);
          } catch (error) {
            this.#o.log?.error({ err: error, ...event.key }, "an executor event listener threw");
          }
        }
    }, options.eventIntervalMs ?? EVENT_INTERVAL_MS);
    this.#sweep = setInterval(() => void this.sweep(), options.sweepMs ?? 60_000);
    this.#sweep.unref();
  }

  subscribe(listener: (event: ExecutorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      // What was emitted before goes out first, as it would have unpaced.
      this.#events.flush();
      this.#listeners.delete(listener);
    };
  }

  /**
   * Registers the try and returns; the Pod is created in the background. The scheduler's loop
   * must not wait on the API server: a slow or absent one would hold up every other run, and a
   * burst of due tasks would be created one round trip after another.
   */
  async start(launch: TaskLaunch): Promise<void> {
    const id = keyString(launch);
    if (this.#byKey.has(id) || this.#closed) return;
    const namespace = launch.task.namespace ?? this.#o.defaultNamespace;
    const pod = taskPod(launch, this.#o.defaultNamespace, this.#o.podTemplate);
    const podName = pod.metadata?.name ?? "";
    const tracked: Tracked = {
      launch,
      namespace,
      podName,
      startedMs: this.#now(),
      reportedRunning: false,
      done: false,
    };
    // Registered before any await: a second start, a cancel or the sweep sees the try at once.
    this.#byKey.set(id, tracked);
    this.#byPod.set(podKey(namespace, podName), tracked);
    // The namespace is watched (and swept) from now on; #begin waits for its first list.
    void this.#watch(namespace);
    void this.#begin(tracked, pod);
  }

  async #begin(tracked: Tracked, pod: V1Pod): Promise<void> {
    const { launch } = tracked;
    try {
      // A folder made now holds no outcome record: not looked for (a stat per try).
      tracked.freshFolder = await makeLogDir(launch.logFile);
      const recorded = tracked.freshFolder ? undefined : await recordedOutcome(launch);
      if (recorded) {
        // Finished (and maybe deleted) before a restart the scheduler did not hear of: report it
        // again rather than create the Pod anew.
        tracked.done = true;
        this.#forget(tracked);
        this.#emit(recorded);
        return;
      }
      await this.#watch(tracked.namespace);
      await this.#create(tracked, pod);
    } catch (error) {
      await this.#finish(tracked, {
        kind: "failed",
        exitCode: null,
        reason: `could not start the pod: ${describe(error)}`,
      });
    }
  }

  #forget(tracked: Tracked): void {
    this.#byKey.delete(keyString(tracked.launch));
    this.#byPod.delete(podKey(tracked.namespace, tracked.podName));
  }

  async cancel(key: TaskKey, reason: string): Promise<void> {
    const tracked = this.#byKey.get(keyString(key));
    if (!tracked || tracked.done) return;
    tracked.cancelReason = reason;
    try {
      await this.#o.api.deletePod(tracked.namespace, tracked.podName, this.#o.cancelGraceSeconds ?? 30);
    } catch (error) {
      this.#o.log?.warn({ ...logFields(tracked), err: error }, "could not delete pod to cancel its try");
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    // Requests still waiting for the request budget are not sent (the next leader adopts by name).
    this.#o.api.close?.();
    clearInterval(this.#sweep);
    for (const watcher of this.#watchers.values()) watcher.stop();
    for (const tracked of this.#byKey.values()) {
      clearTimeout(tracked.recheck);
      tracked.follower?.stop();
    }
    // Outcomes already recorded reach the scheduler before it stops listening.
    this.#events.flush();
    this.#listeners.clear();
  }

  /** Deletes managed Pods whose try state no longer expects (finished or unknown runs). */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (const namespace of this.#watchers.keys()) {
      try {
        const { items } = await this.#o.api.listPods(namespace, MANAGED_SELECTOR);
        for (const pod of items) {
          const name = pod.metadata?.name ?? "";
          const key = keyFromAnnotations(pod.metadata?.annotations);
          if (this.#byPod.has(podKey(namespace, name))) continue;
          if (key && this.#o.tryIsActive(key)) continue;
          // Already on its way out (our own delete may still wait for its turn in the request budget).
          if (pod.metadata?.deletionTimestamp || this.#deleting.has(podKey(namespace, name))) continue;
          // Gone since the list (its own delete completed while earlier ones waited for the budget).
          if (this.#watchers.get(namespace)?.knows(name) === false) continue;
          // Closed (shutdown, or leadership lost): the next leader's tries are not ours to judge.
          if (this.#closed) return deleted;
          await this.#deletePod(namespace, name);
          deleted++;
        }
      } catch (error) {
        this.#o.log?.warn({ namespace, err: error }, "orphan pod sweep failed; will try again");
      }
    }
    return deleted;
  }

  /** Watches the namespace (once); resolves when its first list is in. */
  #watch(namespace: string): Promise<void> {
    const ready = this.#watchReady.get(namespace);
    if (ready) return ready;
    const watcher = new PodWatcher(this.#o.api, {
      namespace,
      labelSelector: MANAGED_SELECTOR,
      relistMs: this.#o.relistMs ?? 60_000,
      onPod: (pod) => this.#onPod(namespace, pod),
      onGone: (name) => void this.#onGone(namespace, name),
      // A Pod not tracked, or whose try ended (its delete's events): #onPod would ignore it.
      wants: (name) => this.#byPod.get(podKey(namespace, name))?.done === false,
      onError: (error) => this.#o.log?.warn({ namespace, err: error }, "pod watch failed; restarting"),
    });
    this.#watchers.set(namespace, watcher);
    const started = watcher.start();
    this.#watchReady.set(namespace, started);
    return started;
  }

  async #create(tracked: Tracked, pod: V1Pod): Promise<void> {
    for (;;) {
      if (tracked.done || this.#closed) return;
      if (tracked.cancelReason) {
        await this.#finish(tracked, { kind: "failed", exitCode: null, reason: tracked.cancelReason });
        return;
      }
      try {
        const answer = await this.#creates.run(async () => {
          // Re-checked after the wait for a turn: closed or cancelled meanwhile, nothing is sent.
          if (tracked.done || this.#closed || tracked.cancelReason) return undefined;
          // startupTimeout counts from the create, not from the wait for a turn.
          tracked.startedMs = this.#now();
          return this.#o.api.createPod(tracked.namespace, pod);
        });
        if (!answer) continue;
        const { created, pod: current } = answer;
        const owner = keyFromAnnotations(current.metadata?.annotations);
        if (!created && (!owner || keyString(owner) !== keyString(tracked.launch))) {
          await this.#finish(tracked, {
            kind: "failed",
            exitCode: null,
            reason: `a pod named ${tracked.podName} already exists and belongs to ${owner ? keyString(owner) : "something else"}`,
          });
          return;
        }
        // A cancel that came while the create was on its way: the Pod must not run to the end.
        if (tracked.cancelReason) void this.cancel(tracked.launch, tracked.cancelReason);
        this.#onPod(tracked.namespace, current);
        return;
      } catch (error) {
        if (!isTransient(error)) {
          await this.#finish(tracked, {
            kind: "failed",
            exitCode: null,
            reason: `Kubernetes refused the pod: ${describe(error)}`,
          });
          return;
        }
        // The API is away longer than one blink: keep asking, the try stays queued meanwhile.
        this.#o.log?.warn({ ...logFields(tracked), err: error }, "pod create failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, this.#o.createRetryMs ?? 5000));
      }
    }
  }

  #onPod(namespace: string, pod: V1Pod): void {
    const tracked = this.#byPod.get(podKey(namespace, pod.metadata?.name ?? ""));
    if (!tracked || tracked.done) return;
    tracked.lastPod = pod;
    const verdict = podVerdict(pod, {
      startedMs: tracked.startedMs,
      nowMs: this.#now(),
      startupTimeoutMs: tracked.launch.task.startupTimeoutMs,
      configErrorGraceMs: this.#o.configErrorGraceMs ?? 10_000,
    });
    if (verdict.kind === "waiting") {
      this.#recheckLater(tracked);
      return;
    }
    // A Pod that failed before its container ever started (bad image, unschedulable) never ran.
    const started = verdict.kind !== "failed" || Boolean(containerStarted(pod));
    if (!tracked.reportedRunning && started) {
      tracked.reportedRunning = true;
      this.#emit({ type: "running", key: tracked.launch, podName: tracked.podName });
    }
    if (verdict.kind === "running") {
      this.#follow(tracked);
      return;
    }
    // A graceful delete we did not ask for (`kubectl delete pod`) ends the container with SIGTERM:
    // its exit code alone (143) would hide why.
    if (verdict.kind === "failed" && pod.metadata?.deletionTimestamp && !tracked.cancelReason) {
      void this.#finish(tracked, {
        ...verdict,
        reason: `the pod was deleted by someone else before it finished (${verdict.reason})`,
      });
      return;
    }
    void this.#finish(tracked, verdict);
  }

  async #onGone(namespace: string, name: string): Promise<void> {
    const tracked = this.#byPod.get(podKey(namespace, name));
    if (!tracked) return;
    if (tracked.done) {
      // Its outcome not yet stored, and the Pod that stood for it gone (kubectl, the Pod GC): a
      // crash now would run the try again. Written down instead (#finish does it if still under way).
      tracked.podGone = true;
      if (tracked.outcome) await this.#record(tracked, tracked.outcome);
      return;
    }
    const last = tracked.lastPod;
    const before = last
      ? podVerdict(last, {
          startedMs: tracked.startedMs,
          nowMs: this.#now(),
          startupTimeoutMs: Number.POSITIVE_INFINITY,
          configErrorGraceMs: Number.POSITIVE_INFINITY,
        })
      : undefined;
    if (before && (before.kind === "succeeded" || before.kind === "failed")) {
      await this.#finish(tracked, before);
      return;
    }
    await this.#finish(tracked, {
      kind: "failed",
      exitCode: null,
      reason: tracked.cancelReason ?? "the pod was deleted by someone else before it finished",
    });
  }

  #recheckLater(tracked: Tracked): void {
    clearTimeout(tracked.recheck);
    const grace = this.#o.configErrorGraceMs ?? 10_000;
    const elapsed = this.#now() - tracked.startedMs;
    const next = [grace, tracked.launch.task.startupTimeoutMs].filter((deadline) => deadline > elapsed);
    const wait = next.length > 0 ? Math.min(...next) - elapsed + 10 : 1000;
    tracked.recheck = setTimeout(
      () => tracked.lastPod && this.#onPod(tracked.namespace, tracked.lastPod),
      wait,
    );
    tracked.recheck.unref();
  }

  #follow(tracked: Tracked): void {
    if (tracked.follower) return;
    tracked.follower = new LogFollower(
      this.#o.api,
      {
        namespace: tracked.namespace,
        pod: tracked.podName,
        container: CONTAINER,
        logFile: tracked.launch.logFile,
      },
      undefined,
      undefined,
      { mask: this.#o.mask, ...(tracked.freshFolder ? { noCursor: true } : {}) },
    );
    tracked.follower.start();
  }

  async #finish(tracked: Tracked, verdict: PodVerdict): Promise<void> {
    if (tracked.done) return;
    tracked.done = true;
    clearTimeout(tracked.recheck);
    const { launch } = tracked;
    if (!tracked.follower && tracked.reportedRunning) this.#follow(tracked);
    await tracked.follower?.finish();
    let event: ExecutorEvent;
    if (tracked.cancelReason) {
      event = {
        type: "failed",
        key: launch,
        exitCode: verdict.kind === "failed" ? verdict.exitCode : null,
        reason: tracked.cancelReason,
      };
    } else if (verdict.kind === "succeeded") {
      // Its folder made for it and nothing followed into it: the log is empty, no result in it.
      const empty = tracked.freshFolder === true && tracked.follower?.wrote === false;
      const extraction = empty
        ? ({ ok: true, result: { present: false } } as const)
        : await extractResult(launch.logFile);
      event = extraction.ok
        ? { type: "finished", key: launch, exitCode: 0, result: extraction.result }
        : { type: "failed", key: launch, exitCode: 0, reason: extraction.reason };
    } else {
      event = {
        type: "failed",
        key: launch,
        exitCode: verdict.kind === "failed" ? verdict.exitCode : null,
        reason: verdict.kind === "failed" ? await this.#failureReason(tracked, verdict) : "failed",
      };
    }
    if (event.type === "failed") await this.#appendEvents(tracked);
    // A cancel deleted the Pod before the outcome is stored: it cannot stand for the outcome
    // across a crash, so the outcome is written down (start() replays it). Cancels are rare.
    // The same for a Pod that went while the outcome was being made.
    if (tracked.cancelReason || tracked.podGone) await this.#record(tracked, event);
    // Still tracked: the Pod stays, and is cleaned up, once the scheduler has stored the outcome.
    tracked.outcome = event;
    // It may wait long for `stored` (a disk refusing the state write): only what stands for the
    // outcome is kept, not the last Pod (a few KB) nor the finished log follower.
    tracked.lastPod = undefined;
    tracked.follower = undefined;
    this.#emit(event);
  }

  async #record(tracked: Tracked, event: ExecutorEvent): Promise<void> {
    // Stored meanwhile (forgotten): state holds it, nothing to write.
    if (tracked.recorded || this.#byKey.get(keyString(tracked.launch)) !== tracked) return;
    tracked.recorded = true;
    await recordOutcome(tracked.launch, event, this.#o.log);
  }

  /** The scheduler stored these tries' outcomes: their Pods are no longer their record. */
  stored(keys: readonly TaskKey[]): void {
    for (const key of keys) {
      const tracked = this.#byKey.get(keyString(key));
      if (!tracked?.outcome) continue;
      this.#forget(tracked);
      void this.#cleanUp(tracked, tracked.outcome.type === "finished");
    }
  }

  /** An init container's failure ends with its last log lines: they say why, and base never ran. */
  async #failureReason(tracked: Tracked, verdict: PodVerdict & { kind: "failed" }): Promise<string> {
    if (!verdict.initContainer) return verdict.reason;
    const tail = await containerLogTail(this.#o.api, {
      namespace: tracked.namespace,
      pod: tracked.podName,
      container: verdict.initContainer,
    });
    const masked = this.#o.mask ? this.#o.mask.mask(tail) : tail;
    return masked ? `${verdict.reason}: ${masked}` : verdict.reason;
  }

  /** Pod events explain most failures (pull errors, scheduling, mounts): they go to the task log. */
  async #appendEvents(tracked: Tracked): Promise<void> {
    try {
      const events = await this.#o.api.listPodEvents(tracked.namespace, tracked.podName);
      const relevant = events.filter((e) => e.type === "Warning" || EVENT_REASONS.has(e.reason ?? ""));
      if (relevant.length === 0) return;
      const lines = relevant.map(
        (e) =>
          `[updraft] pod event: ${e.type ?? ""} ${e.reason ?? ""}: ${e.message ?? ""}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ""}`,
      );
      const text = `${lines.join("\n")}\n`;
      await appendFile(tracked.launch.logFile, this.#o.mask ? this.#o.mask.mask(text) : text, {
        mode: LOG_FILE_MODE,
      });
    } catch {
      // Events are a help, not a requirement.
    }
  }

  async #cleanUp(tracked: Tracked, succeeded: boolean): Promise<void> {
    const policy = tracked.launch.task.onFinish;
    if (policy === "keep" || (policy === "delete-succeeded" && !succeeded)) return;
    try {
      await this.#deletePod(tracked.namespace, tracked.podName);
    } catch (error) {
      // The sweep deletes it later.
      this.#o.log?.warn({ ...logFields(tracked), err: error }, "could not delete finished pod");
    }
  }

  /** Deletes a Pod at once, remembered while the call is under way so the sweep does not ask twice. */
  async #deletePod(namespace: string, name: string): Promise<void> {
    const id = podKey(namespace, name);
    this.#deleting.add(id);
    try {
      await this.#o.api.deletePod(namespace, name, 0);
    } finally {
      this.#deleting.delete(id);
    }
  }

  #emit(event: ExecutorEvent): void {
    const key = {
      dagId: event.key.dagId,
      runId: event.key.runId,
      taskId: event.key.taskId,
      try: event.key.try,
    };
    this.#events.push({ ...event, key } as ExecutorEvent);
  }
}

function containerStarted(pod: V1Pod): string | undefined {
  const status = pod.status?.containerStatuses?.find((c) => c.name === CONTAINER);
  const started = status?.state?.terminated?.startedAt ?? status?.state?.running?.startedAt;
  return started ? String(started) : undefined;
}

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function describe(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  const parsed = typeof body === "string" ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === "string" ? message : error instanceof Error ? error.message : String(error);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The dag/run/task/try/pod fields of a try's log lines. */
function logFields(tracked: Tracked) {
  const { dagId, runId, taskId, try: tryNumber } = tracked.launch;
  return { dag: dagId, run: runId, task: taskId, try: tryNumber, pod: tracked.podName };
}
