import type { Agent } from "node:http";
import type { Cluster, KubeConfig } from "@kubernetes/client-node";

type CreateAgent = (cluster: Cluster | null, options: Record<string, unknown>) => Agent;

/** Distinct agents kept at once (a rotated client certificate makes a new one); more and all are dropped. */
const MAX_AGENTS = 8;
const reusing = new WeakSet<KubeConfig>();

/**
 * Makes every request of `config` (API calls, watches, log streams) go through one keep-alive
 * agent per cluster and TLS identity. The client builds a fresh agent for each request, so each
 * one opened its own TCP connection (and TLS handshake on a real cluster): at 2,000 due tasks the
 * connects alone cost more CPU than the requests. client-go keeps its connections open too.
 * Patches the client's `createAgent`, which every request path calls; idempotent.
 */
export function reuseConnections(config: KubeConfig): KubeConfig {
  if (reusing.has(config)) return config;
  const target = config as unknown as { createAgent?: CreateAgent };
  const create = target.createAgent?.bind(config);
  // A client version without it: requests still work, each on a connection of its own.
  if (!create) return config;
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    const key = agentKey(cluster, options);
    let agent = agents.get(key);
    if (!agent) {
      if (agents.size >= MAX_AGENTS) {
        for (const old of agents.values()) old.destroy();
        agents.clear();
      }
      agent = create(cluster, { ...options, keepAlive: true });
      agents.set(key, agent);
    }
    return agent;
  };
  reusing.add(config);
  return config;
}

/** Everything that decides how a connection is made: the server, the proxy, and the TLS options. */
function agentKey(cluster: Cluster | null, options: Record<string, unknown>): string {
  const parts = [cluster?.server ?? "", cluster?.proxyUrl ?? "", String(cluster?.skipTLSVerify ?? "")];
  for (const name of Object.keys(options).sort()) {
    const value = options[name];
    if (value === undefined) continue;
    parts.push(`${name}=${Buffer.isBuffer(value) ? value.toString("base64") : JSON.stringify(value)}`);
  }
  return parts.join("\0");
}
