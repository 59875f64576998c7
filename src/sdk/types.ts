/**
 * Public authoring types of the updraft SDK. DAG modules import these through `updraft`;
 * everything here is plain data so a loaded DAG can cross a process boundary.
 */

/** Seconds as a number, or a string such as `"500ms"`, `"30s"`, `"5m"`, `"1h30m"`. */
export type Duration = number | string;

export type TriggerRule =
  "all_success" | "all_done" | "all_failed" | "one_success" | "one_failed" | "none_failed";

export type ConcurrencyPolicy = "allow" | "forbid" | "replace";

export type OnFinish = "delete" | "delete-succeeded" | "keep";

/** `{ cpu, memory, ... }` as Kubernetes quantities, e.g. `"250m"`, `"512Mi"`. */
export type ResourceList = Record<string, string | number>;

export interface ResourceRequirements {
  requests?: ResourceList;
  limits?: ResourceList;
}

export interface LocalObjectReference {
  name: string;
}

/** A Kubernetes volume (core/v1 Volume field names). */
export interface Volume {
  name: string;
  emptyDir?: { medium?: string; sizeLimit?: string };
  configMap?: {
    name: string;
    items?: Array<{ key: string; path: string; mode?: number }>;
    defaultMode?: number;
    optional?: boolean;
  };
  secret?: {
    secretName: string;
    items?: Array<{ key: string; path: string; mode?: number }>;
    defaultMode?: number;
    optional?: boolean;
  };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  hostPath?: { path: string; type?: string };
  [source: string]: unknown;
}

/** A Kubernetes volume mount (core/v1 VolumeMount field names). */
export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

/** A Kubernetes toleration (core/v1 Toleration field names). */
export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  tolerationSeconds?: number;
}

/** A Kubernetes affinity (core/v1 Affinity), passed through to the Pod as written. */
export interface Affinity {
  nodeAffinity?: Record<string, unknown>;
  podAffinity?: Record<string, unknown>;
  podAntiAffinity?: Record<string, unknown>;
}

/** A partial core/v1 Pod (Kubernetes field names), for what `pod({...})` does not name. */
export interface PodOverride {
  apiVersion?: "v1";
  kind?: "Pod";
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  spec?: Record<string, unknown>;
}

export interface PodTaskOptions {
  /** Task id, unique within its DAG: letters, digits, `_`, `-`, `.`. */
  id: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  /** Namespace of the task's Pod; the daemon's `--namespace` when omitted. */
  namespace?: string;
  imagePullSecrets?: Array<LocalObjectReference | string>;
  volumes?: Volume[];
  volumeMounts?: VolumeMount[];
  resources?: ResourceRequirements;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: Affinity;
  serviceAccountName?: string;
  /** Ids of tasks in the same DAG that must finish first. */
  dependsOn?: string | string[];
  triggerRule?: TriggerRule;
  /** Overrides the DAG's `retries`. */
  retries?: number;
  /** Overrides the DAG's `retryDelay`. */
  retryDelay?: Duration;
  /** Double the delay after each failed try; `{ max }` caps it (default 1h). */
  retryBackoff?: boolean | { max?: Duration };
  /** Kill the task after this long. */
  timeout?: Duration;
  /** How long a Pod may wait for its image and a node before the task fails (default 120s). */
  startupTimeout?: Duration;
  onFinish?: OnFinish;
  /** A partial core/v1 Pod merged over the task's Pod last (docs/writing-dags.md, "Pod template and podOverride"). */
  podOverride?: PodOverride;
}

export interface FailureNotification {
  /** URL that receives a JSON POST (Slack-compatible `text` plus structured fields). */
  url: string;
}

export interface DagOptions {
  /** DAG id, unique across the repository: letters, digits, `_`, `-`, `.`. */
  id: string;
  description?: string;
  /** Cron (5 fields, or 6 with seconds), `@hourly`/`@daily`/`@weekly`/`@monthly`/`@yearly`, or `null` for manual runs only. */
  schedule: string | null;
  /** IANA time zone the schedule and dates are read in; UTC when omitted. */
  timezone?: string;
  startDate?: string | Date;
  endDate?: string | Date;
  catchup?: boolean;
  pausedOnCreation?: boolean;
  maxActiveRuns?: number;
  concurrencyPolicy?: ConcurrencyPolicy;
  owner?: string;
  tags?: string[];
  retries?: number;
  retryDelay?: Duration;
  onFailure?: FailureNotification;
  tasks: PodTask[];
}

/** What `pod()` returns: a task description, nothing runs until the scheduler starts it. */
export interface PodTask extends PodTaskOptions {
  readonly kind: "pod";
}

/** What `dag()` returns; export it (default, named, or in an array) to register it. */
export interface Dag extends DagOptions {
  readonly kind: "dag";
}
