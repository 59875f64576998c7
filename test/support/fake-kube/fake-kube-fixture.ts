import { writeFile } from "node:fs/promises";
import path from "node:path";
import { ApiException, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import type { Cleanup } from "../cleanup.ts";
import { daemonFolders, type DaemonFolders } from "../dag-folders.ts";
import { lateBound } from "../late-bound.ts";
import { waitFor } from "../wait-for.ts";
import { startFakeKube, type FakeKube, type FakeKubeOptions } from "./fake-kube.ts";
import type { Pod } from "./types.ts";

/** A fresh fake API server per test (closed after it), and a CoreV1Api of the official client on it. */
export function useFakeKube(options: FakeKubeOptions = {}) {
  let kube: FakeKube | undefined;
  let core: CoreV1Api | undefined;
  beforeEach(async () => {
    kube = await startFakeKube(options);
    core = kube.kubeConfig().makeApiClient(CoreV1Api);
  });
  afterEach(async () => {
    await kube?.close();
    kube = undefined;
  });
  return {
    get kube(): FakeKube {
      if (!kube) throw new Error("the fake API server is only there inside a test");
      return kube;
    },
    get core(): CoreV1Api {
      if (!core) throw new Error("the fake API server is only there inside a test");
      return core;
    },
  };
}

/** One fake API server for the whole file: started before its tests, closed after them. */
export function useFakeKubeServer(options: FakeKubeOptions = {}): FakeKube {
  let kube: FakeKube | undefined;
  beforeAll(async () => {
    kube = await startFakeKube(options);
  });
  afterAll(async () => {
    await kube?.close();
    kube = undefined;
  });
  return lateBound("the fake API server", () => kube);
}

/**
 * A fake API server for one test, closed by `cleanup`. Start it before the daemons that talk to it:
 * cleanup runs in reverse, so it closes after them.
 */
export async function startFakeKubeFor(cleanup: Cleanup, options: FakeKubeOptions = {}): Promise<FakeKube> {
  const kube = await startFakeKube(options);
  cleanup.defer(() => kube.close());
  return kube;
}

/**
 * For daemons on a fake API server in one test: the fake (namespace `default`, closed by `cleanup`
 * after the daemons started later), their folders (`dags` written) and a kubeconfig file for it.
 */
export async function fakeKubeFolders(
  cleanup: Cleanup,
  prefix: string,
  dags: Readonly<Record<string, string>> = {},
): Promise<DaemonFolders & { fake: FakeKube; kubeconfig: string }> {
  const fake = await startFakeKubeFor(cleanup, { namespaces: ["default"] });
  const folders = await daemonFolders(cleanup, prefix, dags);
  return { ...folders, fake, kubeconfig: await writeKubeconfig(fake, folders.dir) };
}

/** A kubeconfig file for the fake (context namespace `default`) in `dir`; returns its path. */
export async function writeKubeconfig(kube: FakeKube, dir: string): Promise<string> {
  const file = path.join(dir, "kubeconfig.json");
  await writeFile(file, kube.kubeconfigText("default"));
  return file;
}

/** A one-container pod that runs `command` once (restartPolicy Never). */
export function podOf(
  name: string,
  command: string[] | undefined,
  extra: Partial<V1Pod["spec"]> & { image?: string; labels?: Record<string, string> } = {},
): V1Pod {
  const { image = "node:20", labels, ...spec } = extra;
  return {
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: {
      restartPolicy: "Never",
      containers: [{ name: "base", image, ...(command ? { command } : {}) }],
      ...spec,
    },
  };
}

/** Waits until the stored pod satisfies `done`, and returns it. */
export function waitForPod(
  kube: FakeKube,
  name: string,
  done: (pod: Pod) => boolean,
  namespace = "default",
): Promise<Pod> {
  return waitFor(
    `pod ${namespace}/${name}`,
    () => {
      const pod = kube.pod(namespace, name);
      return pod && done(pod) ? pod : undefined;
    },
    { timeoutMs: 15_000, everyMs: 10, details: () => kube.pod(namespace, name)?.status },
  );
}

/** The error a client call rejected with, as the client's ApiException with its Status body parsed. */
export async function apiError(
  call: Promise<unknown>,
): Promise<{ code: number; status: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body: unknown = error.body;
    const status =
      typeof body === "string" && body.startsWith("{") ? (JSON.parse(body) as Record<string, unknown>) : {};
    return { code: error.code, status };
  }
  throw new Error("expected the call to fail");
}

export const waitingReason = (pod: Pod): string | undefined =>
  pod.status.containerStatuses?.[0]?.state.waiting?.reason;
export const terminated = (pod: Pod) => pod.status.containerStatuses?.[0]?.state.terminated;
