import { isDeepStrictEqual } from "node:util";
import path from "node:path";
import type { LogStore } from "../logs/log-store.ts";
import { PODS } from "../resources.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { rfc3339 } from "../time.ts";
import type { Pod, PodCondition } from "../types.ts";
import type { ConfigData } from "./container-env.ts";
import { missingVolume } from "./container-env.ts";
import { ContainerSlot, type SlotHost } from "./container-slot.ts";
import type { EventInput, EventRecorder } from "./event-recorder.ts";
import type { FakeNode } from "./fake-node.ts";
import { InitSequence } from "./init-sequence.ts";
import { buildStatus, type PodView } from "./pod-status.ts";
import { place } from "./scheduler.ts";
import type { KubeletTimings } from "./timings.ts";

export interface WorkerDeps {
  store: ObjectStore;
  recorder: EventRecorder;
  logs: LogStore;
  node: FakeNode;
  timings: KubeletTimings;
  config: ConfigData;
  baseEnv: Record<string, string>;
  workDir: string;
  nextPodIP(): string;
  /** Pods bound to the node and not finished (for the scheduler's arithmetic). */
  podsOnNode(): Pod[];
}

type Stage = "scheduling" | "running" | "stopping" | "gone";

/** The scheduler and kubelet for one pod: bind, mount, start its containers, report status, stop it. */
export class PodWorker implements SlotHost {
  readonly timings: KubeletTimings;
  readonly logs: LogStore;
  readonly config: ConfigData;
  readonly baseEnv: Record<string, string>;
  readonly podDir: string;
  #pod: Pod;
  #stage: Stage = "scheduling";
  #view: PodView | undefined;
  #failure: PodView["failure"];
  #graceSeconds = Infinity;
  /** The main containers are done for good, or an init container failed: nothing (re)starts. */
  #workDone = false;
  /** The main containers. */
  readonly #slots: ContainerSlot[];
  readonly #init: InitSequence;
  /** Init containers (sidecars included) and main containers. */
  readonly #all: ContainerSlot[];
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly deps: WorkerDeps,
    pod: Pod,
  ) {
    this.#pod = pod;
    this.timings = deps.timings;
    this.logs = deps.logs;
    this.config = deps.config;
    this.baseEnv = { ...deps.baseEnv, HOSTNAME: pod.metadata.name ?? "" };
    this.podDir = path.join(
      deps.workDir,
      `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid?.slice(0, 8)}`,
    );
    this.#slots = pod.spec.containers.map((c) => new ContainerSlot(this, c));
    const init = (pod.spec.initContainers ?? []).map(
      (c) => new ContainerSlot(this, c, c.restartPolicy === "Always" ? "sidecar" : "init"),
    );
    this.#init = new InitSequence(init, () => {
      for (const slot of this.#slots) slot.pull();
    });
    this.#all = [...init, ...this.#slots];
  }

  get runningProcesses(): number {
    return this.#all.filter((s) => s.running).length;
  }

  pod(): Pod {
    return this.#pod;
  }

  stopping(): boolean {
    return (
      this.#stage === "stopping" || this.#stage === "gone" || this.#failure !== undefined || this.#workDone
    );
  }

  after(ms: number, step: () => void | Promise<void>): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stage === "gone") return;
      Promise.resolve()
        .then(step)
        .catch((error: unknown) => console.error("fake-kube: kubelet step failed", error));
    }, ms);
    this.#timers.add(timer);
  }

  record(event: EventInput): void {
    if (this.#stage !== "gone") this.deps.recorder.record(this.#pod, event);
  }

  /** Changes the stored pod, if it is still this pod, and only when something changed. */
  #write(change: (pod: Pod) => void): void {
    const { store } = this.deps;
    const current = store.get(PODS, this.#pod.metadata.namespace, this.#pod.metadata.name ?? "") as
      Pod | undefined;
    if (!current || current.metadata.uid !== this.#pod.metadata.uid) return;
    const next = structuredClone(current);
    change(next);
    this.#pod = isDeepStrictEqual(next, current) ? current : (store.update(PODS, next) as Pod);
  }

  /** Writes the status the containers are in; `final` marks a deleted pod terminal before it goes. */
  sync(final = false): void {
    const view = this.#view;
    if (!view || this.#stage === "gone") return;
    view.containers = this.#slots.map((s) => s.status);
    view.initContainers = this.#init.slots.map((s) => s.status);
    view.sidecars = new Set(this.#init.sidecars.map((s) => s.spec.name));
    view.failure = this.#failure;
    this.#write((p) => {
      p.status = buildStatus(view, p.status, rfc3339());
      // Kubelets since 1.27 report a pod deleted before it finished as Failed before it goes.
      if (final && (p.status.phase === "Pending" || p.status.phase === "Running")) p.status.phase = "Failed";
    });
  }

  start(): void {
    this.after(this.timings.scheduleMs, () => this.#schedule());
  }

  #schedule(): void {
    const others = this.deps.podsOnNode().filter((p) => p.metadata.uid !== this.#pod.metadata.uid);
    const placement = place(this.#pod, this.deps.node, others);
    if (!placement.fits) {
      this.#write((p) => {
        const before = p.status.conditions?.find((c) => c.type === "PodScheduled");
        const unschedulable: PodCondition = {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: placement.message,
          lastProbeTime: null,
          lastTransitionTime: before?.status === "False" ? before.lastTransitionTime : rfc3339(),
        };
        p.status = { ...p.status, phase: "Pending", conditions: [unschedulable] };
      });
      this.record({
        type: "Warning",
        reason: "FailedScheduling",
        message: placement.message,
        component: "default-scheduler",
      });
      this.after(this.timings.retryMs, () => this.#schedule());
      return;
    }
    const now = rfc3339();
    this.#write((p) => {
      p.spec.nodeName = this.deps.node.name;
      p.status.conditions = [
        { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now },
      ];
    });
    const { namespace, name } = this.#pod.metadata;
    this.record({
      type: "Normal",
      reason: "Scheduled",
      message: `Successfully assigned ${namespace}/${name} to ${this.deps.node.name}`,
      component: "default-scheduler",
    });
    this.#stage = "running";
    this.after(0, () => this.#admit());
  }

  #admit(): void {
    this.#view = {
      restartPolicy: this.#pod.spec.restartPolicy ?? "Always",
      hostIP: this.deps.node.hostIP,
      startTime: rfc3339(),
      sandboxReady: false,
      containers: [],
      initContainers: [],
      sidecars: new Set(),
      ...(this.#pod.status.qosClass ? { qosClass: this.#pod.status.qosClass } : {}),
    };
    this.sync();
    const deadline = this.#pod.spec.activeDeadlineSeconds;
    if (deadline !== undefined) this.after(deadline * 1000, () => this.#deadlineExceeded());
    this.#mountAndStart();
  }

  #mountAndStart(): void {
    const missing = missingVolume(this.#pod);
    if (missing) {
      this.record({
        type: "Warning",
        reason: "FailedMount",
        message: `MountVolume.SetUp failed for volume "${missing.volume}" : ${missing.message}`,
      });
      this.after(this.timings.retryMs, () => this.#mountAndStart());
      return;
    }
    if (!this.#view) return;
    this.#view.sandboxReady = true;
    this.#view.podIP = this.deps.nextPodIP();
    this.sync();
    this.#init.start();
  }

  containerStarted(slot: ContainerSlot): void {
    this.#init.started(slot);
  }

  containerDone(slot: ContainerSlot): void {
    const initFailed = this.#init.done(slot);
    if (initFailed || (slot.role === "container" && this.#slots.every((s) => s.settled))) this.#workOver();
    if (this.#all.some((s) => s.running)) return;
    if (this.#stage === "stopping") this.#finish();
  }

  /** As a kubelet ≥ 1.29 does once a pod's work is over: native sidecars stopped, last first. */
  #workOver(): void {
    if (this.stopping()) return;
    this.#workDone = true;
    const graceMs = (this.#pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    for (const slot of this.#init.sidecars.reverse()) slot.terminate(graceMs, true);
  }

  #clearTimers(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  /** Deletion: SIGTERM every container, SIGKILL after the grace, then the pod object goes. */
  terminate(graceSeconds: number): void {
    if (this.#stage === "gone" || graceSeconds >= this.#graceSeconds) return;
    this.#graceSeconds = graceSeconds;
    const first = this.#stage !== "stopping";
    this.#stage = "stopping";
    this.#clearTimers();
    for (const slot of this.#all) slot.terminate(graceSeconds * 1000, first);
    if (!this.#all.some((s) => s.running)) this.after(0, () => this.#finish());
  }

  #finish(): void {
    this.sync(true);
    const { namespace, name, uid } = this.#pod.metadata;
    const current = this.deps.store.get(PODS, namespace, name ?? "");
    if (current?.metadata.uid === uid) this.deps.store.remove(PODS, namespace, name ?? "");
  }

  /** Node-pressure eviction: containers killed at once, the pod left Failed with reason Evicted. */
  evict(message: string): void {
    this.#failWith("Evicted", message, 0, true);
  }

  #deadlineExceeded(): void {
    const grace = this.#pod.spec.terminationGracePeriodSeconds ?? 30;
    this.#failWith(
      "DeadlineExceeded",
      "Pod was active on the node longer than the specified deadline",
      grace,
      false,
    );
  }

  #failWith(reason: string, message: string, graceSeconds: number, disruption: boolean): void {
    if (this.#stage === "gone" || this.#failure) return;
    const phase = this.#pod.status.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    this.#failure = { reason, message, ...(disruption ? { disruption } : {}) };
    this.#clearTimers();
    this.record({ type: "Warning", reason, message });
    for (const slot of this.#all) {
      if (graceSeconds === 0) void slot.kill();
      else slot.terminate(graceSeconds * 1000, true);
    }
    if (!this.#view) {
      this.#view = {
        restartPolicy: "Never",
        hostIP: this.deps.node.hostIP,
        startTime: rfc3339(),
        sandboxReady: false,
        containers: [],
        initContainers: [],
        sidecars: new Set(),
      };
    }
    this.sync();
  }

  /** The pod object is gone (deleted at once, or finished deleting): stop everything now. */
  async gone(): Promise<void> {
    this.#stage = "gone";
    this.#clearTimers();
    const exits = this.#all.map((slot) => slot.kill());
    this.deps.logs.dropPod(this.#pod.metadata.uid ?? "");
    await Promise.all(exits);
  }
}
