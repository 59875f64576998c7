import { NAMESPACES } from "../resources.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { ContainerSpec, Pod } from "../types.ts";

export const ISTIO_PROXY = "istio-proxy";
const INJECTION_LABEL = "istio-injection";
const INJECT_ANNOTATION = "sidecar.istio.io/inject";

/**
 * A proxy that logs at once and keeps running until it is stopped, as Envoy does: a regular
 * container, so the pod stays Running after the task container has exited.
 */
const proxyContainer = (): ContainerSpec => ({
  name: ISTIO_PROXY,
  image: "docker.io/istio/proxyv2:1.22.0",
  command: [
    "node",
    "-e",
    "process.on('SIGTERM', () => process.exit(0)); console.log('istio-proxy: Envoy proxy is ready'); setInterval(() => {}, 1 << 30);",
  ],
  resources: { requests: { cpu: "10m", memory: "40Mi" } },
});

/**
 * The mutating admission istiod's sidecar injector performs: a Pod created in a namespace labelled
 * `istio-injection=enabled` gets an `istio-proxy` container after its own, unless its annotation
 * `sidecar.istio.io/inject` is "false". Runs before defaulting, so the proxy is defaulted too.
 */
export function injectIstioProxy(store: ObjectStore, pod: Pod): void {
  const namespace = store.get(NAMESPACES, undefined, pod.metadata.namespace ?? "");
  if (namespace?.metadata.labels?.[INJECTION_LABEL] !== "enabled") return;
  if (pod.metadata.annotations?.[INJECT_ANNOTATION] === "false") return;
  const containers = pod.spec?.containers;
  if (!Array.isArray(containers) || containers.some((c) => c.name === ISTIO_PROXY)) return;
  containers.push(proxyContainer());
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    "sidecar.istio.io/status": JSON.stringify({ containers: [ISTIO_PROXY], revision: "default" }),
  };
}
