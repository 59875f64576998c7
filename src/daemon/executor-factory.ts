import path from "node:path";
import type { RunConfig } from "../config/run-config.ts";
import type { Executor, TaskKey } from "../executor/executor.ts";
import { LocalExecutor } from "../executor/local-executor.ts";
import { createKubeApi } from "../kubernetes/kube-api.ts";
import { loadKubeAccess } from "../kubernetes/kube-config.ts";
import { KubernetesExecutor } from "../kubernetes/kubernetes-executor.ts";
import type { PodTemplate } from "../kubernetes/pod-template.ts";
import type { Logger } from "../log/logger.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { RequestLimiter } from "../kubernetes/request-limiter.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";

export interface ExecutorParts {
  /** The daemon's environment: where the cluster is (in-cluster, `KUBECONFIG`, `~/.kube/config`). */
  env: Readonly<Record<string, string | undefined>>;
  log: Logger;
  metrics: Metrics;
  mask: SecretMask;
  /** Whether state still expects a try (the Kubernetes executor's sweep leaves those Pods alone). */
  tryIsActive: (key: TaskKey) => boolean;
  /** `--pod-template`, already read and checked: the base of every task Pod. */
  podTemplate?: PodTemplate;
  /** The API server request budget (`--kube-qps`, `--kube-burst`), shared with leader election. */
  kubeRequests?: RequestLimiter;
}

/** The executor `--executor` names; only this function knows the concrete executors. */
export function createExecutor(
  config: Pick<RunConfig, "executor" | "namespace" | "stateDir">,
  parts: ExecutorParts,
): Executor {
  const { env, log, metrics, mask, tryIsActive, podTemplate, kubeRequests } = parts;
  if (config.executor === "local")
    return new LocalExecutor({
      mask,
      log,
      pendingKillsFile: path.join(config.stateDir, "local-cancels.json"),
    });
  const access = loadKubeAccess(env, config.namespace);
  return new KubernetesExecutor({
    api: createKubeApi(access.config, { metrics, ...(kubeRequests ? { limiter: kubeRequests } : {}) }),
    defaultNamespace: access.namespace,
    tryIsActive,
    log,
    mask,
    ...(podTemplate ? { podTemplate } : {}),
  });
}
