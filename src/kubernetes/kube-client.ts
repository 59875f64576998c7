import { createRequire } from "node:module";

type KubeClient = typeof import("@kubernetes/client-node");

const load = createRequire(import.meta.url);
let client: KubeClient | undefined;

/**
 * The official client, loaded on first use rather than imported: loading its ~800 modules takes
 * about half a second, which a daemon running tasks locally (or `updraft check`) would pay at every
 * start for nothing. Synchronous (Node ≥ 20.19 requires ES modules), so callers stay synchronous.
 */
export function kubeClient(): KubeClient {
  client ??= load("@kubernetes/client-node") as KubeClient;
  return client;
}
