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

/**
 * `{ cpu, memory, "ephemeral-storage", "nvidia.com/gpu", ... }` as Kubernetes quantities, e.g.
 * `"250m"`, `"512Mi"`; extended resources (with a domain) in whole units, requests equal to limits.
 */
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

/** A key of a Secret or ConfigMap (core/v1 SecretKeySelector / ConfigMapKeySelector). */
export interface KeySelector {
  name: string;
  key: string;
  /** The Pod starts even if the object or key is missing (the variable is then unset). */
  optional?: boolean;
}

/**
 * Where Kubernetes reads a variable's value when the Pod starts (core/v1 EnvVarSource): exactly
 * one of these. The DAG file holds the reference; the value never passes through updraft.
 */
export type EnvVarSource =
  | { secretKeyRef: KeySelector }
  | { configMapKeyRef: KeySelector }
  | { fieldRef: { fieldPath: string; apiVersion?: "v1" } }
  | { resourceFieldRef: { resource: string; containerName?: string; divisor?: string | number } };

/** An env value: a string (templates allowed) or an EnvVarSource. */
export type EnvValue = string | EnvVarSource;

/** Every key of a Secret or ConfigMap as a variable (core/v1 EnvFromSource). */
export type EnvFromSource = { prefix?: string } & (
  { secretRef: { name: string; optional?: boolean } } | { configMapRef: { name: string; optional?: boolean } }
);

export type ImagePullPolicy = "Always" | "IfNotPresent" | "Never";

/** A seccomp or AppArmor profile. */
export interface SecurityProfile {
  type: "RuntimeDefault" | "Localhost" | "Unconfined";
  /** Only with type Localhost, and then required. */
  localhostProfile?: string;
}

interface SharedSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  seLinuxOptions?: { user?: string; role?: string; type?: string; level?: string };
  seccompProfile?: SecurityProfile;
  appArmorProfile?: SecurityProfile;
  windowsOptions?: {
    gmsaCredentialSpecName?: string;
    gmsaCredentialSpec?: string;
    runAsUserName?: string;
    hostProcess?: boolean;
  };
}

/**
 * A container's core/v1 SecurityContext. Pod Security "restricted" needs `runAsNonRoot: true`,
 * `allowPrivilegeEscalation: false`, `capabilities: { drop: ["ALL"] }` and
 * `seccompProfile: { type: "RuntimeDefault" }` (the last two may also be on the Pod).
 */
export interface SecurityContext extends SharedSecurityContext {
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  procMount?: "Default" | "Unmasked";
  capabilities?: { add?: string[]; drop?: string[] };
}

/** The Pod's core/v1 PodSecurityContext. */
export interface PodSecurityContext extends SharedSecurityContext {
  fsGroup?: number;
  fsGroupChangePolicy?: "OnRootMismatch" | "Always";
  supplementalGroups?: number[];
  supplementalGroupsPolicy?: "Merge" | "Strict";
  seLinuxChangePolicy?: "MountOption" | "Recursive";
  sysctls?: Array<{ name: string; value: string }>;
}

/**
 * An init container or sidecar: the core/v1 Container subset updraft names. Its strings are
 * passed as written (templates are rendered only in the task's own container).
 */
export interface ExtraContainer {
  /** Unique among the Pod's containers; the task's own container is `base`. */
  name: string;
  image: string;
  imagePullPolicy?: ImagePullPolicy;
  command?: string[];
  args?: string[];
  env?: Record<string, EnvValue>;
  envFrom?: EnvFromSource[];
  volumeMounts?: VolumeMount[];
  resources?: ResourceRequirements;
  securityContext?: SecurityContext;
}

/** A core/v1 LabelSelector. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{
    key: string;
    operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
    values?: string[];
  }>;
}

/** A core/v1 TopologySpreadConstraint. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector?: LabelSelector;
  minDomains?: number;
  nodeAffinityPolicy?: "Honor" | "Ignore";
  nodeTaintsPolicy?: "Honor" | "Ignore";
  matchLabelKeys?: string[];
}

/** A core/v1 HostAlias: entries for the Pod's /etc/hosts. */
export interface HostAlias {
  ip: string;
  hostnames: string[];
}

export type DnsPolicy = "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None";

/** A core/v1 PodDNSConfig. */
export interface PodDnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: Array<{ name: string; value?: string }>;
}

export interface PodTaskOptions {
  /** Task id, unique within its DAG: letters, digits, `_`, `-`, `.`. */
  id: string;
  image: string;
  command?: string[];
  args?: string[];
  /** Strings (templates allowed) or references: `{ DB_USER: { secretKeyRef: { name: "db", key: "user" } } }`. */
  env?: Record<string, EnvValue>;
  envFrom?: EnvFromSource[];
  imagePullPolicy?: ImagePullPolicy;
  /** The task container's security context. */
  securityContext?: SecurityContext;
  /** The Pod's security context. */
  podSecurityContext?: PodSecurityContext;
  /** Run in order before the task container; each must exit 0. */
  initContainers?: ExtraContainer[];
  /** Run beside the task container (native sidecars, Kubernetes ≥ 1.29); stopped when it ends. */
  sidecars?: ExtraContainer[];
  priorityClassName?: string;
  runtimeClassName?: string;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  hostAliases?: HostAlias[];
  dnsPolicy?: DnsPolicy;
  dnsConfig?: PodDnsConfig;
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
  /** A pool (`updraft run --pool NAME=N`): at most N tries across all DAGs hold one of its slots at once. */
  pool?: string;
  onFinish?: OnFinish;
  /** A partial core/v1 Pod merged over the task's Pod last (docs/writing-dags.md, "Pod template and podOverride"). */
  podOverride?: PodOverride;
  /** This task's own channels per event; a list given here replaces the DAG's for that event (`[]` silences it). */
  notify?: TaskNotify;
}

/** Where a notification goes: email addresses, a Slack incoming-webhook URL, or any URL that takes a JSON POST. */
export type NotifyChannel = { email: string[] } | { slack: string } | { webhook: string };

/** The events a task can be notified of, each a list of channels. */
export interface TaskNotify {
  /** A try failed and will not be retried. */
  onFailure?: NotifyChannel[];
  /** A try failed and will be retried. */
  onRetry?: NotifyChannel[];
  /** The DAG: a run succeeded; a task: that task succeeded. */
  onSuccess?: NotifyChannel[];
}

/** `notify` on a DAG: every event of its tasks and runs, plus missed schedules. */
export interface DagNotify extends TaskNotify {
  /** One message per logical date missed (`expectedWithin`/`finishWithin`). */
  onMissedSchedule?: NotifyChannel[];
}

export interface FailureNotification {
  /** URL that receives a JSON POST (Slack-compatible `text` plus structured fields). */
  url: string;
}

/** One typed param of a DAG (see DagOptions.params). */
export interface ParamOptions {
  /** `date` is `YYYY-MM-DD`, `datetime` ISO 8601 with an offset or `Z`, `array` a list of strings. */
  type: "string" | "number" | "integer" | "boolean" | "date" | "datetime" | "array";
  /** Shown under the trigger form's field. */
  description?: string;
  /** A trigger without it (and without a default) is refused; a scheduled DAG needs a default then. */
  required?: boolean;
  /** Filled into the conf when a trigger leaves the param out, and into every scheduled run's conf. */
  default?: unknown;
  /** The allowed values (string, number and integer params). */
  enum?: Array<string | number>;
  /** Bounds of number and integer params. */
  minimum?: number;
  maximum?: number;
  /** Length bounds of string params, in characters. */
  minLength?: number;
  maxLength?: number;
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
  /** Email, Slack and webhook channels per event (docs/notifications.md). */
  notify?: DagNotify;
  /** Typed params: the trigger's conf is checked against them, defaults fill `{{ dag_run.conf }}`. */
  params?: Record<string, ParamOptions>;
  /** A run still going this long after it started is stopped, reason `run timed out after <d>`. */
  runTimeout?: Duration;
  /** Alert when a scheduled run has not started this long after its logical date. */
  expectedWithin?: Duration;
  /** Alert when a scheduled run has not finished this long after its logical date. */
  finishWithin?: Duration;
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
