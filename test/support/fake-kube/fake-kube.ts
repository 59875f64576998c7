import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig } from "@kubernetes/client-node";
import type { ApiContext } from "./api/context.ts";
import { ensureNamespace } from "./api/namespaces-api.ts";
import { deletePod } from "./api/pod-deletion.ts";
import { createRouter, type JournalEntry } from "./api/router.ts";
import { Faults, type FailOptions, type LogCut, type RequestMatch } from "./faults.ts";
import type { ConfigData } from "./kubelet/container-env.ts";
import { fakeNode, type FakeNode } from "./kubelet/fake-node.ts";
import { Kubelet } from "./kubelet/kubelet.ts";
import { DEFAULT_TIMINGS, type KubeletTimings } from "./kubelet/timings.ts";
import { LogStore } from "./logs/log-store.ts";
import { requestRates, type RequestRates } from "./request-rate.ts";
import { EVENTS, LEASES, PODS } from "./resources.ts";
import { ObjectStore } from "./store/object-store.ts";
import { WatchHub } from "./store/watch-hub.ts";
import type { KubeError } from "./status.ts";
import type { CoreEvent, KubeObject, Pod } from "./types.ts";

export interface FakeKubeOptions {
  /** The bearer token the server accepts (401 otherwise). */
  token?: string;
  /** Namespaces that exist from the start (default `default`, `kube-system`). */
  namespaces?: string[];
  /** Creating something in an unknown namespace is a 404 instead of creating the namespace. */
  strictNamespaces?: boolean;
  node?: Partial<FakeNode>;
  timings?: Partial<KubeletTimings>;
  /** Changes kept per kind for watches to resume from (older resourceVersions get 410). */
  historySize?: number;
  /** How often watches with allowWatchBookmarks=true get a BOOKMARK (the real server: about a minute). */
  bookmarkIntervalMs?: number;
  /** How long a watch without timeoutSeconds stays open (the real server: 30 to 60 minutes). */
  watchTimeoutSeconds?: number;
  /** Data of Secrets/ConfigMaps, by `namespace/name` or `name`, for env references. */
  secrets?: ConfigData["secrets"];
  configMaps?: ConfigData["configMaps"];
  /** The clock that stamps the request journal (`at`), for rates measured under a test's clock. */
  now?: () => number;
}

/** An RBAC rule, as a Role would list it. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export interface FakeKube {
  readonly url: string;
  readonly token: string;
  /** Every request, in order: method, path, query, verb, resource (`pods/log`), status code. */
  readonly requests: JournalEntry[];
  /** A KubeConfig of the official client, pointing at this server with the bearer token. */
  kubeConfig(namespace?: string): KubeConfig;
  /** The same configuration as kubeconfig file text (JSON, which is YAML), for KUBECONFIG. */
  kubeconfigText(namespace?: string): string;

  pod(namespace: string, name: string): Pod | undefined;
  pods(namespace?: string): Pod[];
  /** Events, optionally only those about one object. */
  events(namespace?: string, involvedName?: string): CoreEvent[];
  lease(namespace: string, name: string): KubeObject | undefined;
  /** Container log text of a pod (current instance), without going through the API. */
  logOf(namespace: string, name: string, container?: string): string | undefined;

  /** Node-pressure eviction: the pod ends Failed with reason Evicted. */
  evict(namespace: string, name: string, message?: string): void;
  /** Someone else deletes the pod (not in the request journal). */
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): void;
  /** The next `count` matching requests answer `status` (with `after`, once the request has taken effect). */
  failNext(match: RequestMatch, status: number, count?: number, options?: FailOptions): void;
  /** The next `count` matching requests get their connection closed instead of an answer. */
  dropNext(match: RequestMatch, count?: number, options?: Omit<FailOptions, "message">): void;
  /** The next `count` matching requests are refused with `error` (see admission-denials.ts). */
  refuseNext(match: RequestMatch, error: KubeError, count?: number): void;
  delay(match: RequestMatch, ms: number, options?: { method?: string }): () => void;
  /** Ends every open watch; returns how many. `abrupt` drops connections instead of ending responses. */
  cutWatches(options?: { abrupt?: boolean }): number;
  cutLogs(cut: LogCut, count?: number, match?: RequestMatch): void;
  /** Forgets the change history: watches from any earlier resourceVersion get 410 Expired. */
  compact(): void;
  clearFaults(): void;

  /** Requests matching a verb and/or resource (`pods`, `pods/log`, `events`, `leases`). */
  countRequests(filter?: { verb?: string; resource?: string }): number;
  /** Peak requests per sliding 1 s window, overall and per verb, of the journal entries `filter` keeps. */
  requestRates(filter?: (entry: JournalEntry) => boolean): RequestRates;
  clearRequests(): void;
  /** The RBAC rules the requests so far would need. */
  rbacRules(): PolicyRule[];
  readonly openWatches: number;
  readonly runningContainers: number;

  /** Kills every container process, ends every stream and stops the server. Idempotent. */
  close(): Promise<void>;
}

/** Starts a fake kube-apiserver (with a simulated scheduler and kubelet) on 127.0.0.1. */
export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const token = options.token ?? "fake-kube-token";
  const store = new ObjectStore(options.historySize ?? 1000);
  const hub = new WatchHub(store, {
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 5000,
    defaultTimeoutSeconds: options.watchTimeoutSeconds ?? 1800,
  });
  const faults = new Faults();
  const logs = new LogStore();
  const ctx: ApiContext = { store, hub, faults, logs, strictNamespaces: options.strictNamespaces ?? false };
  for (const ns of options.namespaces ?? ["default", "kube-system"]) ensureNamespace(ctx, ns, true);
  const requests: JournalEntry[] = [];
  const router = createRouter({ ctx, token, journal: requests, now: options.now ?? Date.now });
  const server = createServer((req, res) => void router(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const workDir = mkdtempSync(path.join(os.tmpdir(), "fake-kube-"));
  const kubelet = new Kubelet({
    store,
    logs,
    node: fakeNode(options.node),
    timings: { ...DEFAULT_TIMINGS, ...options.timings },
    config: { secrets: options.secrets ?? {}, configMaps: options.configMaps ?? {} },
    baseEnv: {
      PATH: [path.dirname(process.execPath), process.env.PATH ?? "/usr/bin:/bin"].join(path.delimiter),
      KUBERNETES_SERVICE_HOST: "127.0.0.1",
      KUBERNETES_SERVICE_PORT: String(port),
    },
    workDir,
  });

  const configOf = (namespace = "default") => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "fake-kube", server: url, skipTLSVerify: true }],
      users: [{ name: "fake-kube", token }],
      contexts: [{ name: "fake-kube", cluster: "fake-kube", user: "fake-kube", namespace }],
      currentContext: "fake-kube",
    });
    return kc;
  };
  let closed: Promise<void> | undefined;

  return {
    url,
    token,
    requests,
    kubeConfig: configOf,
    kubeconfigText: (namespace) => configOf(namespace).exportConfig(),
    pod: (ns, name) => store.get(PODS, ns, name) as Pod | undefined,
    pods: (ns) => store.list(PODS, ns) as Pod[],
    events: (ns, involvedName) =>
      (store.list(EVENTS, ns) as CoreEvent[]).filter(
        (e) => !involvedName || e.involvedObject.name === involvedName,
      ),
    lease: (ns, name) => store.get(LEASES, ns, name),
    logOf: (ns, name, container) => {
      const pod = store.get(PODS, ns, name) as Pod | undefined;
      const statuses = [
        ...(pod?.status.containerStatuses ?? []),
        ...(pod?.status.initContainerStatuses ?? []),
      ];
      const status = statuses.find((s) => !container || s.name === container);
      return logs.get(status?.containerID)?.text();
    },
    evict: (ns, name, message) =>
      kubelet.evict(
        ns,
        name,
        message ?? "The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki.",
      ),
    deletePod: (ns, name, gracePeriodSeconds) =>
      void deletePod(store, ns, name, gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
    failNext: (match, status, count, opts) => faults.failNext(match, status, count, opts),
    dropNext: (match, count, opts) => faults.dropNext(match, count, opts),
    refuseNext: (match, error, count) => faults.refuseNext(match, error, count),
    delay: (match, ms, opts) => faults.delay(match, ms, opts),
    cutWatches: (opts) => hub.cutAll(opts?.abrupt ?? false),
    cutLogs: (cut, count, match) => faults.cutLogs(cut, count, match),
    compact: () => store.compact(),
    clearFaults: () => faults.clear(),
    countRequests: (filter = {}) =>
      requests.filter(
        (r) =>
          (!filter.verb || r.verb === filter.verb) && (!filter.resource || r.resource === filter.resource),
      ).length,
    requestRates: (filter) => requestRates(filter ? requests.filter(filter) : requests),
    clearRequests: () => void requests.splice(0),
    rbacRules: () => rbacRules(requests),
    get openWatches() {
      return hub.openCount;
    },
    get runningContainers() {
      return kubelet.runningProcesses;
    },
    close: () =>
      (closed ??= (async () => {
        const stopped = kubelet.close();
        hub.cutAll(true);
        logs.closeAll();
        await Promise.race([stopped, sleep(3000)]);
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        rmSync(workDir, { recursive: true, force: true });
      })()),
  };
}

function rbacRules(requests: JournalEntry[]): PolicyRule[] {
  const byResource = new Map<string, { group: string; resource: string; verbs: Set<string> }>();
  for (const r of requests) {
    if (!r.isResourceRequest || r.fault) continue;
    const key = `${r.apiGroup}/${r.resource}`;
    const entry = byResource.get(key) ?? {
      group: r.apiGroup,
      resource: r.resource,
      verbs: new Set<string>(),
    };
    entry.verbs.add(r.verb);
    byResource.set(key, entry);
  }
  return [...byResource.values()]
    .sort((a, b) => `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`))
    .map((e) => ({ apiGroups: [e.group], resources: [e.resource], verbs: [...e.verbs].sort() }));
}
