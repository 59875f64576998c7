import type http from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";

/** A kubeconfig for an API server listening on 127.0.0.1 over plain HTTP, with a bearer token. */
export function localKubeConfig(
  server: http.Server,
  options: { token: string; namespace?: string },
): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [
      {
        name: "c",
        server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        skipTLSVerify: true,
      },
    ],
    users: [{ name: "u", token: options.token }],
    contexts: [
      { name: "x", cluster: "c", user: "u", ...(options.namespace ? { namespace: options.namespace } : {}) },
    ],
    currentContext: "x",
  });
  return config;
}
