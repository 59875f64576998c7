import type { V1Pod } from "@kubernetes/client-node";
import { isStatus, type KubeApi, statusOf } from "./kube-api.ts";
import { peekWatchEvent } from "./watch-event-peek.ts";

export interface PodWatcherOptions {
  namespace: string;
  labelSelector: string;
  onPod: (pod: V1Pod) => void;
  onGone: (name: string) => void;
  /**
   * Whether `onPod` has any use for this Pod now. Events for the others (a finished Pod's delete)
   * are not parsed: only the known set and `onGone` see them.
   */
  wants?: (name: string) => boolean;
  /** A full re-list this often reconciles anything a missed event left wrong. */
  relistMs: number;
  maxBackoffMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * One list+watch of the managed Pods in a namespace, shared by every task there (no per-pod
 * polling). The client's watch ends on its own every so often: it resumes from the last
 * resourceVersion; `410 Gone` means that version is too old, so it lists again; any other error
 * restarts it with backoff. A periodic re-list catches whatever a missed event would leave behind.
 */
export class PodWatcher {
  readonly #known = new Set<string>();
  #resourceVersion = "";
  #watch: { abort(): void } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #relistTimer: NodeJS.Timeout | undefined;
  #failures = 0;
  #stopped = false;
  #generation = 0;

  constructor(
    private readonly api: KubeApi,
    private readonly options: PodWatcherOptions,
  ) {}

  async start(): Promise<void> {
    await this.#relist();
    this.#relistTimer = setInterval(() => void this.#relist(), this.options.relistMs);
    this.#relistTimer.unref();
  }

  /**
   * Whether the Pod was there at the last list or event (false once a DELETED event or a list
   * without it came): a list taken before it went may still hold it.
   */
  knows(name: string): boolean {
    return this.#known.has(name);
  }

  stop(): void {
    this.#stopped = true;
    this.#generation++;
    clearTimeout(this.#timer);
    clearInterval(this.#relistTimer);
    this.#watch?.abort();
  }

  /** Lists now (and restarts the watch from the list's resourceVersion). */
  async #relist(): Promise<void> {
    if (this.#stopped) return;
    try {
      const { items, resourceVersion } = await this.api.listPods(
        this.options.namespace,
        this.options.labelSelector,
      );
      const present = new Set<string>();
      for (const pod of items) {
        const name = pod.metadata?.name;
        if (!name) continue;
        present.add(name);
        this.#known.add(name);
        this.options.onPod(pod);
      }
      for (const name of [...this.#known]) {
        if (!present.has(name)) {
          this.#known.delete(name);
          this.options.onGone(name);
        }
      }
      this.#resourceVersion = resourceVersion;
      this.#failures = 0;
      this.#restartWatch();
    } catch (error) {
      this.options.onError?.(error);
      this.#retryLater(() => void this.#relist());
    }
  }

  #restartWatch(): void {
    const generation = ++this.#generation;
    this.#watch?.abort();
    void this.#watchFrom(generation);
  }

  async #watchFrom(generation: number): Promise<void> {
    let expired = false;
    const onEvent = (type: string, object: unknown) => {
      if (generation !== this.#generation) return;
      if (type === "ERROR" || isStatus(object)) {
        expired = isStatus(object) && object.code === 410;
        return;
      }
      const pod = object as V1Pod;
      const version = pod.metadata?.resourceVersion;
      if (version) this.#resourceVersion = version;
      if (type === "BOOKMARK") return;
      const name = pod.metadata?.name;
      if (!name) return;
      if (type === "DELETED") {
        this.#known.delete(name);
        this.options.onGone(name);
      } else {
        this.#known.add(name);
        this.options.onPod(pod);
      }
    };
    // The resourceVersion stays that of the last event parsed: a resumed watch replays the skipped
    // ones (skipped again), or a 410 brings a list.
    const skip = (line: string): boolean => {
      const wants = this.options.wants;
      if (generation !== this.#generation || !wants) return false;
      const event = peekWatchEvent(line);
      if (!event || wants(event.name)) return false;
      if (event.type === "DELETED") {
        this.#known.delete(event.name);
        this.options.onGone(event.name);
      } else this.#known.add(event.name);
      return true;
    };
    const startedAt = Date.now();
    const onDone = (error: unknown) => {
      if (generation !== this.#generation || this.#stopped) return;
      if (expired || statusOf(error) === 410) {
        void this.#relist();
      } else if (error || Date.now() - startedAt < 1000) {
        // An error, or a server that closes every watch at once: back off rather than spin.
        if (error) this.options.onError?.(error);
        this.#retryLater(() => this.#restartWatch());
      } else {
        // The server closed the watch (they do, every few minutes): carry on from where it was.
        this.#failures = 0;
        this.#restartWatch();
      }
    };
    try {
      this.#watch = await this.api.watchPods(
        this.options.namespace,
        { labelSelector: this.options.labelSelector, resourceVersion: this.#resourceVersion },
        onEvent,
        onDone,
        skip,
      );
    } catch (error) {
      onDone(error);
    }
  }

  #retryLater(action: () => void): void {
    if (this.#stopped) return;
    this.#failures++;
    const delay = Math.min(this.options.maxBackoffMs ?? 30_000, 500 * 2 ** (this.#failures - 1));
    clearTimeout(this.#timer);
    this.#timer = setTimeout(action, delay);
    this.#timer.unref();
  }
}
