import { finished, type Writable } from "node:stream";
import type { CoreV1Event, KubeConfig, V1Pod, V1PodList } from "@kubernetes/client-node";
import { type Clock, systemClock } from "../leader/clock.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { isAdmissionDenial, retryAfterMs } from "./api-errors.ts";
import { kubeClient } from "./kube-client.ts";
import { reuseConnections } from "./connection-reuse.ts";
import { rawJsonRequests } from "./raw-json-request.ts";
import { rawLogStreams } from "./raw-log-stream.ts";
import { rawWatches } from "./raw-watch.ts";
import type { RequestLane, RequestLimiter } from "./request-limiter.ts";

/** The calls the executor makes; the only place that talks to `@kubernetes/client-node`. */
export interface KubeApi {
  /** Creates the Pod, or returns the existing one of that name (a retry after a crash): never two. */
  createPod(namespace: string, pod: V1Pod): Promise<{ created: boolean; pod: V1Pod }>;
  listPods(namespace: string, labelSelector: string): Promise<{ items: V1Pod[]; resourceVersion: string }>;
  deletePod(namespace: string, name: string, gracePeriodSeconds: number): Promise<void>;
  listPodEvents(namespace: string, podName: string): Promise<CoreV1Event[]>;
  watchPods(
    namespace: string,
    query: { labelSelector: string; resourceVersion: string },
    onEvent: (type: string, object: V1Pod | StatusObject) => void,
    onDone: (error: unknown) => void,
    /** Lines handled from their text alone (raw-watch.ts): not parsed, no `onEvent`. */
    skip?: (line: string) => boolean,
  ): Promise<{ abort(): void }>;
  /**
   * No request is sent after this, even one already waiting for the request budget (the
   * executor closed: shutdown, or leadership lost); such calls reject with KubeApiClosedError.
   */
  close?(): void;
  /**
   * Streams the container's log (with timestamps) into `sink` until it ends or is aborted. A
   * `signal` that aborts while the request still waits for the request budget rejects with its
   * reason, and nothing is sent (the try ended meanwhile: its final read takes the whole log).
   */
  followLog(
    namespace: string,
    pod: string,
    container: string,
    sinceTime: string | undefined,
    sink: Writable,
    signal?: AbortSignal,
  ): Promise<{ abort(): void }>;
  /** The log so far (not followed), written into `sink`; resolves once the sink has taken all of it. */
  readLog(
    namespace: string,
    pod: string,
    container: string,
    sinceTime: string | undefined,
    sink: Writable,
  ): Promise<void>;
}

export interface StatusObject {
  kind: "Status";
  code?: number;
  reason?: string;
  message?: string;
}

export function isStatus(object: unknown): object is StatusObject {
  return typeof object === "object" && object !== null && (object as { kind?: unknown }).kind === "Status";
}

/** The HTTP status of a client error, or undefined for network errors and timeouts. */
export function statusOf(error: unknown): number | undefined {
  return error instanceof kubeClient().ApiException ? error.code : undefined;
}

/**
 * 5xx, 429, timeouts and connection errors: the API blinked, ask again. Never an admission denial,
 * whatever code the webhook chose: asking again gets the same answer.
 */
/** A request asked for after its executor closed: it waited for the budget and is not sent. */
export class KubeApiClosedError extends Error {
  readonly code = "kube_api_closed";
}

export function isTransient(error: unknown): boolean {
  if (error instanceof KubeApiClosedError) return false;
  const code = statusOf(error);
  return (code === undefined || code === 429 || code >= 500) && !isAdmissionDenial(error);
}

const sleepWithTimers = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Retries `call` on transient errors with exponential backoff (from `baseMs`, capped at 10 s), or
 * after the server's `Retry-After` when it sent one (429, 503; capped at 60 s): a task fails only
 * for a reason about the task, never because the API blinked once or asked us to slow down.
 */
export async function withRetry<T>(
  call: () => Promise<T>,
  options: {
    attempts?: number;
    baseMs?: number;
    onRetry?: (error: unknown) => void;
    sleep?: (ms: number) => Promise<void>;
  } = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isTransient(error) || attempt >= attempts) throw error;
      options.onRetry?.(error);
      const backoff = Math.min(10_000, (options.baseMs ?? 200) * 2 ** (attempt - 1));
      await (options.sleep ?? sleepWithTimers)(retryAfterMs(error) ?? backoff);
    }
  }
}

export interface KubeApiOptions {
  retryBaseMs?: number;
  metrics?: Pick<Metrics, "executorApiError">;
  /** Every request (each retry, each watch or log stream opened) takes a token first. */
  limiter?: RequestLimiter;
  /** Waits between retries (default: the system clock). */
  clock?: Clock;
}

const podsPath = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;

/** KubeApi over the official client. */
export function createKubeApi(config: KubeConfig, options: KubeApiOptions = {}): KubeApi {
  const { CoreV1Api } = kubeClient();
  reuseConnections(config);
  const core = config.makeApiClient(CoreV1Api);
  // Creates, deletes, lists, log reads and the watch (the calls made per try, lists and events of
  // every Pod) skip the client's serializer, node-fetch and readline: raw-*.ts.
  const raw = rawJsonRequests(config);
  const logStream = rawLogStreams(config);
  const watch = rawWatches(config);
  const clock = options.clock ?? systemClock;
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.after(ms, resolve));
  let closed = false;
  /**
   * Sends one request once the limiter allows, and counts it if it fails, unless its status is an
   * answer the caller expects (409 on create, say).
   */
  const counted =
    <T>(
      verb: string,
      call: () => Promise<T>,
      expected?: number,
      lane: RequestLane = "other",
      signal?: AbortSignal,
    ) =>
    async (): Promise<T> => {
      await options.limiter?.take({ lane, ...(signal ? { signal } : {}) });
      if (closed) throw new KubeApiClosedError(`${verb}: the executor closed before its turn came`);
      try {
        return await call();
      } catch (error) {
        const code = statusOf(error);
        if (code === undefined || code !== expected)
          options.metrics?.executorApiError({ verb, code: code === undefined ? "network" : String(code) });
        throw error;
      }
    };
  const retry = <T>(verb: string, call: () => Promise<T>, expected?: number, lane?: RequestLane) =>
    withRetry(counted(verb, call, expected, lane), { baseMs: options.retryBaseMs ?? 200, sleep });
  return {
    close() {
      closed = true;
    },
    async createPod(namespace, pod) {
      try {
        return {
          created: true,
          pod: await retry(
            "create_pod",
            async () => (await raw("POST", `${podsPath(namespace)}`, {}, pod)) as V1Pod,
            409,
            "start",
          ),
        };
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
        const name = pod.metadata?.name ?? "";
        return {
          created: false,
          pod: await retry("read_pod", () => core.readNamespacedPod({ namespace, name }), undefined, "start"),
        };
      }
    },
    async listPods(namespace, labelSelector) {
      const list = await retry(
        "list_pods",
        async () => (await raw("GET", podsPath(namespace), { labelSelector })) as V1PodList | undefined,
        undefined,
        "start",
      );
      return { items: list?.items ?? [], resourceVersion: list?.metadata?.resourceVersion ?? "" };
    },
    async deletePod(namespace, name, gracePeriodSeconds) {
      try {
        await retry(
          "delete_pod",
          async () => {
            await raw("DELETE", `${podsPath(namespace)}/${encodeURIComponent(name)}`, {
              gracePeriodSeconds: String(gracePeriodSeconds),
            });
          },
          404,
        );
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    },
    async listPodEvents(namespace, podName) {
      const list = await retry("list_events", () =>
        core.listNamespacedEvent({
          namespace,
          fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${podName}`,
        }),
      );
      return list.items;
    },
    async watchPods(namespace, query, onEvent, onDone, skip) {
      const controller = await counted(
        "watch_pods",
        () =>
          watch(
            podsPath(namespace),
            {
              labelSelector: query.labelSelector,
              resourceVersion: query.resourceVersion,
              allowWatchBookmarks: true,
            },
            (type, object) => onEvent(type, object as V1Pod | StatusObject),
            onDone,
            skip,
          ),
        undefined,
        "start",
      )();
      return { abort: () => controller.abort() };
    },
    async followLog(namespace, pod, container, sinceTime, sink, signal) {
      const controller = await counted(
        "follow_log",
        () =>
          logStream(
            namespace,
            pod,
            container,
            { follow: true, timestamps: true, ...(sinceTime ? { sinceTime } : {}) },
            sink,
          ),
        undefined,
        "other",
        signal,
      )();
      return { abort: () => controller.abort() };
    },
    async readLog(namespace, name, container, sinceTime, sink) {
      // Streamed into the sink: a log can be larger than any string. Only the request is retried,
      // before any of the body reached the sink.
      const done = new Promise<void>((resolve, reject) =>
        finished(sink, (error) => (error ? reject(error) : resolve())),
      );
      done.catch(() => undefined);
      await retry("read_log", () =>
        logStream(
          namespace,
          name,
          container,
          { follow: false, timestamps: true, ...(sinceTime ? { sinceTime } : {}) },
          sink,
        ),
      );
      await done;
    },
  };
}
