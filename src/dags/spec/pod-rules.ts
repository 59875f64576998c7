import {
  dns1123LabelError,
  dns1123SubdomainError,
  envVarNameError,
  isQuantity,
  labelValueError,
  qualifiedNameError,
} from "./kubernetes-names.ts";

/**
 * What kube-apiserver checks beyond types, per `<Model>.<field>`: the values an enum field takes,
 * the fields holding quantities, and the name formats. From k8s.io/api core/v1 and
 * pkg/apis/core/validation; the OpenAPI schema (and so the client's models) does not carry them.
 */
export const ENUMS: ReadonlyMap<string, readonly string[]> = new Map([
  ["V1PodSpec.restartPolicy", ["Always", "OnFailure", "Never"]],
  ["V1PodSpec.dnsPolicy", ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]],
  ["V1PodSpec.preemptionPolicy", ["PreemptLowerPriority", "Never"]],
  ["V1Container.imagePullPolicy", ["Always", "IfNotPresent", "Never"]],
  ["V1Container.terminationMessagePolicy", ["File", "FallbackToLogsOnError"]],
  ["V1Container.restartPolicy", ["Always"]],
  ["V1EphemeralContainer.imagePullPolicy", ["Always", "IfNotPresent", "Never"]],
  ["V1EphemeralContainer.terminationMessagePolicy", ["File", "FallbackToLogsOnError"]],
  ["V1ContainerPort.protocol", ["TCP", "UDP", "SCTP"]],
  ["V1ContainerResizePolicy.restartPolicy", ["NotRequired", "RestartContainer"]],
  ["V1Toleration.operator", ["Exists", "Equal"]],
  ["V1Toleration.effect", ["NoSchedule", "PreferNoSchedule", "NoExecute"]],
  ["V1SeccompProfile.type", ["Localhost", "RuntimeDefault", "Unconfined"]],
  ["V1AppArmorProfile.type", ["Localhost", "RuntimeDefault", "Unconfined"]],
  ["V1SecurityContext.procMount", ["Default", "Unmasked"]],
  ["V1PodSecurityContext.fsGroupChangePolicy", ["OnRootMismatch", "Always"]],
  ["V1PodSecurityContext.supplementalGroupsPolicy", ["Merge", "Strict"]],
  ["V1PodSecurityContext.seLinuxChangePolicy", ["MountOption", "Recursive"]],
  ["V1VolumeMount.mountPropagation", ["None", "HostToContainer", "Bidirectional"]],
  ["V1VolumeMount.recursiveReadOnly", ["Disabled", "IfPossible", "Enabled"]],
  [
    "V1HostPathVolumeSource.type",
    ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"],
  ],
  ["V1TopologySpreadConstraint.whenUnsatisfiable", ["DoNotSchedule", "ScheduleAnyway"]],
  ["V1TopologySpreadConstraint.nodeAffinityPolicy", ["Honor", "Ignore"]],
  ["V1TopologySpreadConstraint.nodeTaintsPolicy", ["Honor", "Ignore"]],
  ["V1NodeSelectorRequirement.operator", ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]],
  ["V1LabelSelectorRequirement.operator", ["In", "NotIn", "Exists", "DoesNotExist"]],
  ["V1HTTPGetAction.scheme", ["HTTP", "HTTPS"]],
  ["V1PodOS.name", ["linux", "windows"]],
  ["V1PersistentVolumeClaimSpec.volumeMode", ["Filesystem", "Block"]],
]);

/** Fields whose value (or, for maps, each value) is a resource.Quantity: a string or a number. */
export const QUANTITY_FIELDS: ReadonlySet<string> = new Set([
  "V1ResourceRequirements.limits",
  "V1ResourceRequirements.requests",
  "V1VolumeResourceRequirements.limits",
  "V1VolumeResourceRequirements.requests",
  "V1PodSpec.overhead",
  "V1EmptyDirVolumeSource.sizeLimit",
  "V1ResourceFieldSelector.divisor",
]);

/** Why a string at `<Model>.<field>` is not valid, for the fields whose format Kubernetes checks. */
const NAME_RULES: ReadonlyMap<string, (value: string) => string | undefined> = new Map([
  ["V1ObjectMeta.name", dns1123SubdomainError],
  ["V1ObjectMeta.generateName", () => undefined],
  ["V1ObjectMeta.namespace", dns1123LabelError],
  ["V1Container.name", dns1123LabelError],
  ["V1EphemeralContainer.name", dns1123LabelError],
  ["V1Volume.name", dns1123LabelError],
  ["V1EnvVar.name", envVarNameError],
  ["V1ContainerPort.name", portNameError],
  ["V1PodSpec.serviceAccountName", dns1123SubdomainError],
  ["V1PodSpec.priorityClassName", dns1123SubdomainError],
  ["V1PodSpec.hostname", dns1123LabelError],
  ["V1PodSpec.subdomain", dns1123LabelError],
  ["V1PodSpec.runtimeClassName", dns1123SubdomainError],
  ["V1LocalObjectReference.name", dns1123SubdomainError],
  ["V1Toleration.key", qualifiedNameError],
  ["V1TopologySpreadConstraint.topologyKey", qualifiedNameError],
  ["V1PodAffinityTerm.topologyKey", qualifiedNameError],
]);

/** Map fields whose keys (and values) Kubernetes checks: labels, annotations, node selectors. */
const MAP_RULES: ReadonlyMap<
  string,
  { key: (key: string) => string | undefined; value?: (value: string) => string | undefined }
> = new Map([
  ["V1ObjectMeta.labels", { key: qualifiedNameError, value: labelValueError }],
  ["V1ObjectMeta.annotations", { key: qualifiedNameError }],
  ["V1PodSpec.nodeSelector", { key: qualifiedNameError, value: labelValueError }],
  ["V1LabelSelector.matchLabels", { key: qualifiedNameError, value: labelValueError }],
  ["V1ResourceRequirements.limits", { key: resourceNameError }],
  ["V1ResourceRequirements.requests", { key: resourceNameError }],
]);

/** Integer fields with a range (ports). */
export const RANGES: ReadonlyMap<string, readonly [number, number]> = new Map([
  ["V1ContainerPort.containerPort", [1, 65535]],
  ["V1ContainerPort.hostPort", [0, 65535]],
]);

export function nameRule(field: string): ((value: string) => string | undefined) | undefined {
  return NAME_RULES.get(field);
}

export function mapRule(field: string) {
  return MAP_RULES.get(field);
}

export function quantityError(value: string | number): string | undefined {
  return isQuantity(String(value))
    ? undefined
    : `${JSON.stringify(value)} is not a Kubernetes quantity (e.g. "250m", "1", "512Mi", "1Gi")`;
}

/** An IANA service name: at most 15 characters of `a-z0-9-`, with a letter, no `--`, no dash at the ends. */
function portNameError(value: string): string | undefined {
  if (value.length > 15) return `must be no more than 15 characters (has ${value.length})`;
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(value) || value.includes("--") || !/[a-z]/.test(value))
    return "must be an IANA service name: lower case letters, digits and '-', with at least one letter";
  return undefined;
}

/** `cpu`, `memory`, `ephemeral-storage`, `hugepages-<size>` or a prefixed extended resource. */
function resourceNameError(value: string): string | undefined {
  if (["cpu", "memory", "ephemeral-storage", "storage"].includes(value) || value.startsWith("hugepages-"))
    return undefined;
  if (!value.includes("/"))
    return 'is not a standard resource (cpu, memory, ephemeral-storage, hugepages-<size>); extended resources need a domain prefix (e.g. "nvidia.com/gpu")';
  return qualifiedNameError(value);
}
