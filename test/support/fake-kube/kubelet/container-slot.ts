import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { ContainerLog, LogStore } from "../logs/log-store.ts";
import { rfc3339 } from "../time.ts";
import type { ContainerSpec, ContainerStatus, Pod } from "../types.ts";
import { containerEnv, expand, type ConfigData } from "./container-env.ts";
import { startProcess, timedRun, type ContainerRun, type ProcessExit } from "./container-run.ts";
import type { EventInput } from "./event-recorder.ts";
import {
  imageBehaviour,
  imageId,
  normalizedImage,
  parseImage,
  pullDelayOf,
  type ImageBehaviour,
} from "./image-behaviour.ts";
import type { KubeletTimings } from "./timings.ts";

/** What a container needs from the pod worker that runs it. */
export interface SlotHost {
  readonly timings: KubeletTimings;
  readonly logs: LogStore;
  readonly config: ConfigData;
  readonly baseEnv: Record<string, string>;
  readonly podDir: string;
  pod(): Pod;
  after(ms: number, step: () => void | Promise<void>): void;
  record(event: EventInput): void;
  sync(): void;
  /** The pod is being stopped (deleted, evicted, past its deadline, its work done): no restarts. */
  stopping(): boolean;
  /** A container is running (again). */
  containerStarted(slot: ContainerSlot): void;
  /** A container stopped for good. */
  containerDone(slot: ContainerSlot): void;
}

/** Where a container sits in its pod: a main container, an init container, or a native sidecar. */
export type ContainerRole = "container" | "init" | "sidecar";

/** One container of a pod: pull (or fail to), create, run, exit, and restart per the restart policy. */
export class ContainerSlot {
  readonly status: ContainerStatus;
  readonly #behaviour: ImageBehaviour;
  #run: ContainerRun | undefined;
  /** A process being spawned: a kill must wait for it, or it would outlive the pod. */
  #starting: Promise<unknown> | undefined;
  #log: ContainerLog | undefined;
  #backoffMs: number;

  constructor(
    private readonly host: SlotHost,
    readonly spec: ContainerSpec,
    readonly role: ContainerRole = "container",
  ) {
    const image = spec.image ?? "";
    const ref = parseImage(image);
    this.#behaviour = imageBehaviour(image);
    this.#backoffMs = host.timings.backoffMs;
    this.status = {
      name: spec.name,
      image: "error" in ref ? image : normalizedImage(ref),
      imageID: "",
      // The kubelet's default waiting reason for a pod with init containers, for all of its containers.
      state: {
        waiting: { reason: host.pod().spec.initContainers?.length ? "PodInitializing" : "ContainerCreating" },
      },
      lastState: {},
      ready: false,
      started: false,
      restartCount: 0,
    };
  }

  get running(): boolean {
    return this.#run !== undefined;
  }

  /** Done for good: terminated and not about to restart, or never able to start. */
  get settled(): boolean {
    return this.status.state.terminated !== undefined && !this.#run;
  }

  #event(type: EventInput["type"], reason: string, message: string): void {
    const field = this.role === "container" ? "containers" : "initContainers";
    this.host.record({ type, reason, message, fieldPath: `spec.${field}{${this.spec.name}}` });
  }

  #wait(reason: string, message?: string): void {
    this.status.state = { waiting: { reason, ...(message ? { message } : {}) } };
    this.host.sync();
  }

  #backoff(): number {
    const ms = this.#backoffMs;
    this.#backoffMs = Math.min(ms * 2, this.host.timings.maxBackoffMs);
    return ms;
  }

  pull(): void {
    const b = this.#behaviour;
    const image = this.spec.image ?? "";
    if (b.kind === "invalid-name") {
      this.#event("Warning", "InspectFailed", b.message);
      this.#event("Warning", "Failed", "Error: InvalidImageName");
      return this.#wait("InvalidImageName", b.message);
    }
    if (b.kind === "never-pull") {
      this.#event("Warning", "ErrImageNeverPull", b.message);
      this.#event("Warning", "Failed", "Error: ErrImageNeverPull");
      return this.#wait("ErrImageNeverPull", b.message);
    }
    const slow = pullDelayOf(image);
    if (b.kind !== "pull-error" && slow === undefined && this.spec.imagePullPolicy !== "Always") {
      this.#event("Normal", "Pulled", `Container image "${image}" already present on machine`);
      return this.host.after(this.host.timings.createMs, () => this.create());
    }
    this.#event("Normal", "Pulling", `Pulling image "${image}"`);
    const ms = slow ?? this.host.timings.pullMs;
    this.host.after(ms, () => {
      if (b.kind !== "pull-error") {
        this.#event(
          "Normal",
          "Pulled",
          `Successfully pulled image "${image}" in ${ms}ms (${ms}ms including waiting). Image size: 1048576 bytes.`,
        );
        return this.host.after(this.host.timings.createMs, () => this.create());
      }
      this.#event("Warning", "Failed", `Failed to pull image "${image}": ${b.message}`);
      this.#event("Warning", "Failed", "Error: ErrImagePull");
      this.#wait("ErrImagePull", b.message);
      this.host.after(this.#backoff(), () => {
        this.#event("Normal", "BackOff", `Back-off pulling image "${image}"`);
        this.#event("Warning", "Failed", "Error: ImagePullBackOff");
        this.#wait("ImagePullBackOff", `Back-off pulling image "${image}": ErrImagePull: ${b.message}`);
        this.host.after(this.#backoff(), () => this.pull());
      });
    });
  }

  async create(): Promise<void> {
    const pod = this.host.pod();
    const b = this.#behaviour;
    const env = containerEnv(pod, this.spec, this.host.baseEnv, this.host.config);
    const configError = b.kind === "config-error" ? b.message : "error" in env ? env.error : undefined;
    if (configError !== undefined || "error" in env) {
      this.#event("Warning", "Failed", `Error: ${configError}`);
      this.#wait("CreateContainerConfigError", configError);
      return this.host.after(this.host.timings.retryMs, () => this.create());
    }
    const containerID = `containerd://${randomBytes(32).toString("hex")}`;
    const log = this.host.logs.create(pod.metadata.uid ?? "", containerID);
    const ref = parseImage(this.spec.image ?? "");
    this.status.containerID = containerID;
    if (!("error" in ref)) this.status.imageID = imageId(ref);
    this.#log = log;
    this.#event("Normal", "Created", `Created container: ${this.spec.name}`);
    const argv = [...(this.spec.command ?? []), ...(this.spec.args ?? [])].map((a) => expand(a, env.env));
    const cwd = path.join(this.host.podDir, `${this.spec.name}-${this.status.restartCount}`);
    mkdirSync(cwd, { recursive: true });
    const t = this.host.timings;
    let run: ContainerRun | { error: string };
    if (b.kind === "exit") run = timedRun(t.fakeExitAfterMs, b.code);
    else if (b.kind === "sleep") run = timedRun(b.ms, 0);
    else if (argv.length === 0) run = timedRun(b.kind === "oom" ? t.oomAfterMs * 10 : 0, 0);
    else {
      const starting = startProcess(argv, env.env, cwd, log);
      this.#starting = starting;
      run = await starting;
      this.#starting = undefined;
    }
    if ("error" in run) {
      log.close();
      const now = rfc3339();
      this.#event("Warning", "Failed", `Error: ${run.error}`);
      this.status.state = {
        terminated: {
          exitCode: 128,
          reason: "StartError",
          message: run.error,
          startedAt: "1970-01-01T00:00:00Z",
          finishedAt: now,
          containerID,
        },
      };
      return this.#afterExit();
    }
    if (this.host.stopping()) {
      run.kill();
    }
    this.#run = run;
    const startedAt = rfc3339();
    this.status.state = { running: { startedAt } };
    // A regular init container is ready once it has completed, not while it runs.
    this.status.ready = this.role !== "init";
    this.status.started = true;
    this.#event("Normal", "Started", `Started container ${this.spec.name}`);
    this.host.sync();
    this.host.containerStarted(this);
    // `fake/oom` always ends OOMKilled: killed after oomAfterMs if it has not exited by then.
    if (b.kind === "oom") this.host.after(t.oomAfterMs, () => run.kill());
    void run.exited.then((exit) => this.#exited(exit, startedAt, b.kind === "oom"));
  }

  #exited(exit: ProcessExit, startedAt: string, oomKilled: boolean): void {
    this.#run = undefined;
    this.#log?.close();
    const exitCode = oomKilled ? 137 : exit.exitCode;
    const reason = oomKilled ? "OOMKilled" : exitCode === 0 ? "Completed" : "Error";
    const fallback = this.spec.terminationMessagePolicy === "FallbackToLogsOnError" && exitCode !== 0;
    const message = fallback ? (this.#log?.text() ?? "").split("\n").slice(-80).join("\n").slice(-2048) : "";
    this.status.state = {
      terminated: {
        exitCode,
        reason,
        ...(message ? { message } : {}),
        startedAt,
        finishedAt: rfc3339(),
        containerID: this.status.containerID ?? "",
      },
    };
    this.status.ready = this.role === "init" && exitCode === 0;
    this.status.started = false;
    this.#afterExit();
  }

  #afterExit(): void {
    const terminated = this.status.state.terminated;
    const policy = this.host.pod().spec.restartPolicy ?? "Always";
    const failed = terminated?.exitCode !== 0;
    // A native sidecar always restarts; an init container only to retry a failure, unless Never.
    const restart =
      this.role === "sidecar" ||
      (this.role === "init"
        ? failed && policy !== "Never"
        : policy === "Always" || (policy === "OnFailure" && failed));
    if (!restart || this.host.stopping()) {
      this.host.sync();
      this.host.containerDone(this);
      return;
    }
    const pod = this.host.pod();
    const who = `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    const delay = this.#backoff();
    this.status.lastState = { terminated: terminated! };
    this.#event("Warning", "BackOff", `Back-off restarting failed container ${this.spec.name} in pod ${who}`);
    this.#wait(
      "CrashLoopBackOff",
      `back-off ${Math.ceil(delay / 1000)}s restarting failed container=${this.spec.name} pod=${who}`,
    );
    this.host.after(delay, () => {
      this.status.restartCount++;
      return this.create();
    });
  }

  /** SIGTERM with a grace period (a "Killing" event the first time). */
  terminate(graceMs: number, announce: boolean): void {
    if (!this.#run) return;
    if (announce) this.#event("Normal", "Killing", `Stopping container ${this.spec.name}`);
    this.#run.terminate(graceMs);
  }

  /** SIGKILL now; resolves when the process has exited (at once if none runs). */
  kill(): Promise<unknown> {
    const run = this.#run;
    if (!run) return this.#starting ? this.#starting.then(() => this.kill()) : Promise.resolve();
    run.kill();
    return run.exited;
  }
}
