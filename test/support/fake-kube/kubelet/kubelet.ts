import type { LogStore } from "../logs/log-store.ts";
import { PODS } from "../resources.ts";
import type { StoreEvent } from "../store/object-store.ts";
import { notFound } from "../status.ts";
import type { Pod } from "../types.ts";
import { EventRecorder } from "./event-recorder.ts";
import { PodWorker, type WorkerDeps } from "./pod-worker.ts";

/** The scheduler and the node's kubelet: a worker per pod, driven by the store's changes. */
export class Kubelet {
  readonly #workers = new Map<string, PodWorker>();
  readonly #unsubscribe: () => void;
  readonly #workerDeps: WorkerDeps;
  #nextIp = 1;

  constructor(
    private readonly deps: Omit<WorkerDeps, "recorder" | "nextPodIP" | "podsOnNode" | "logs"> & {
      logs: LogStore;
    },
  ) {
    this.#workerDeps = {
      ...deps,
      recorder: new EventRecorder(deps.store, deps.node.name),
      nextPodIP: () => {
        const n = this.#nextIp++;
        return `10.244.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`;
      },
      podsOnNode: () =>
        [...(deps.store.peek(PODS) as Iterable<Pod>)].filter(
          (p) =>
            p.spec.nodeName === deps.node.name &&
            p.status.phase !== "Succeeded" &&
            p.status.phase !== "Failed",
        ),
    };
    this.#unsubscribe = deps.store.subscribe((event) => this.#onChange(event));
  }

  get runningProcesses(): number {
    return [...this.#workers.values()].reduce((sum, w) => sum + w.runningProcesses, 0);
  }

  #onChange(event: StoreEvent): void {
    if (event.def !== PODS) return;
    const pod = event.object as Pod;
    const uid = pod.metadata.uid ?? "";
    if (event.type === "ADDED") {
      const worker = new PodWorker(this.#workerDeps, pod);
      this.#workers.set(uid, worker);
      worker.start();
    } else if (event.type === "MODIFIED" && pod.metadata.deletionTimestamp) {
      this.#workers.get(uid)?.terminate(pod.metadata.deletionGracePeriodSeconds ?? 0);
    } else if (event.type === "DELETED") {
      void this.#workers.get(uid)?.gone();
      this.#workers.delete(uid);
    }
  }

  /** Node-pressure eviction of a pod: Failed, reason Evicted, containers killed. */
  evict(namespace: string, name: string, message: string): void {
    const pod = this.deps.store.get(PODS, namespace, name);
    const worker = pod && this.#workers.get(pod.metadata.uid ?? "");
    if (!worker) throw notFound(PODS, name);
    worker.evict(message);
  }

  /** Stops every pod's containers and resolves once their processes have exited. */
  async close(): Promise<void> {
    this.#unsubscribe();
    const stopped = [...this.#workers.values()].map((w) => w.gone());
    this.#workers.clear();
    await Promise.all(stopped);
  }
}
