import type { Pod } from "../types.ts";
import { validateContainers } from "./container-validation.ts";
import {
  duplicate,
  forbiddenField,
  invalid,
  notSupported,
  required,
  type FieldError,
} from "./field-errors.ts";
import { dns1123Label, dns1123Subdomain, qualifiedName } from "./names.ts";
import { validateLabels, validateObjectMeta } from "./object-meta.ts";
import { validatePodSpecExtras } from "./pod-spec-extras.ts";

const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
const TOLERATION_OPERATORS = ["Equal", "Exists"];
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** The volume sources kube-apiserver knows, in the order it checks them; a volume names exactly one. */
export const VOLUME_SOURCES = [
  "emptyDir",
  "hostPath",
  "gitRepo",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "quobyte",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "vsphereVolume",
  "photonPersistentDisk",
  "portworxVolume",
  "azureDisk",
  "storageos",
  "projected",
  "scaleIO",
  "configMap",
  "csi",
  "ephemeral",
  "image",
];

const SOURCE_REQUIRED_FIELD: Record<string, string> = {
  secret: "secretName",
  configMap: "name",
  persistentVolumeClaim: "claimName",
  hostPath: "path",
};

function validateVolumes(volumes: Pod["spec"]["volumes"]): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const at = `spec.volumes[${i}]`;
    if (!v.name) errors.push(required(`${at}.name`));
    else {
      for (const msg of dns1123Label(v.name)) errors.push(invalid(`${at}.name`, v.name, msg));
      if (names.has(v.name)) errors.push(duplicate(`${at}.name`, v.name));
      names.add(v.name);
    }
    const sources = VOLUME_SOURCES.filter((s) => v[s] !== undefined && v[s] !== null);
    if (sources.length === 0) errors.push(required(at, "must specify a volume type"));
    for (const extra of sources.slice(1)) {
      errors.push(forbiddenField(`${at}.${extra}`, "may not specify more than 1 volume type"));
    }
    const source = sources[0];
    const needed = source && SOURCE_REQUIRED_FIELD[source];
    if (source && needed && !(v[source] as Record<string, unknown>)[needed]) {
      errors.push(required(`${at}.${source}.${needed}`));
    }
  });
  return errors;
}

function validateTolerations(tolerations: unknown[] | undefined): FieldError[] {
  const errors: FieldError[] = [];
  (tolerations ?? []).forEach((raw, i) => {
    const t = raw as { key?: string; operator?: string; value?: string; effect?: string };
    const at = `spec.tolerations[${i}]`;
    if (t.key) for (const msg of qualifiedName(t.key)) errors.push(invalid(`${at}.key`, t.key, msg));
    const op = t.operator ?? "Equal";
    if (!TOLERATION_OPERATORS.includes(op))
      errors.push(notSupported(`${at}.operator`, op, TOLERATION_OPERATORS));
    if (!t.key && op !== "Exists") {
      errors.push(
        invalid(
          `${at}.operator`,
          op,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (op === "Exists" && t.value) {
      errors.push(invalid(`${at}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect))
      errors.push(notSupported(`${at}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errors;
}

/** ValidatePodCreate, for the fields the fake understands; the pod has been defaulted already. */
export function validatePod(pod: Pod): FieldError[] {
  const spec = pod.spec ?? { containers: [] };
  const volumeNames = new Set((spec.volumes ?? []).map((v) => v.name));
  const containerNames = new Set<string>();
  const errors = [
    ...validateObjectMeta(pod.metadata, dns1123Subdomain),
    ...validateVolumes(spec.volumes),
    ...validateContainers(spec.containers, "spec.containers", volumeNames, { names: containerNames }),
    ...validateContainers(spec.initContainers ?? [], "spec.initContainers", volumeNames, {
      init: true,
      names: containerNames,
    }),
    ...validatePodSpecExtras(spec),
    ...validateLabels(spec.nodeSelector, "spec.nodeSelector"),
    ...validateTolerations(spec.tolerations),
  ];
  const ephemeral = (spec as { ephemeralContainers?: unknown }).ephemeralContainers;
  if (Array.isArray(ephemeral) && ephemeral.length > 0)
    errors.push(forbiddenField("spec.ephemeralContainers", "cannot be set on create"));
  if (!RESTART_POLICIES.includes(spec.restartPolicy ?? "")) {
    errors.push(notSupported("spec.restartPolicy", spec.restartPolicy ?? "", RESTART_POLICIES));
  }
  if (spec.serviceAccountName) {
    for (const msg of dns1123Subdomain(spec.serviceAccountName)) {
      errors.push(invalid("spec.serviceAccountName", spec.serviceAccountName, msg));
    }
  }
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && (!Number.isInteger(deadline) || deadline < 1 || deadline > 2147483647)) {
    errors.push(
      invalid("spec.activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive"),
    );
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && grace < 0) {
    errors.push(invalid("spec.terminationGracePeriodSeconds", grace, "must be greater than or equal to 0"));
  }
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    const extra = Object.keys(s).filter((k) => k !== "name");
    if (extra.length > 0)
      errors.push(invalid(`spec.imagePullSecrets[${i}]`, JSON.stringify(s), "only name may be set"));
  });
  return errors;
}

/** What kube-apiserver accepts but warns about (a `Warning: 299` header), e.g. an empty pull secret name. */
export function podWarnings(pod: Pod): string[] {
  return (pod.spec.imagePullSecrets ?? []).flatMap((s, i) =>
    s.name ? [] : [`spec.imagePullSecrets[${i}].name: invalid empty name ""`],
  );
}
