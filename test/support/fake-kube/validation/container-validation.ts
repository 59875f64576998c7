import type { ContainerSpec, EnvVar } from "../types.ts";
import {
  duplicate,
  forbiddenField,
  invalid,
  notFoundValue,
  notSupported,
  required,
  type FieldError,
} from "./field-errors.ts";
import { dns1123Label, dns1123Subdomain, envVarName, qualifiedName } from "./names.ts";
import { compareQuantities, formatQuantity, isNegative, parseQuantity, type Quantity } from "./quantity.ts";
import { validateSecurityContext } from "./security-validation.ts";

const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
const FIELD_PATHS = [
  "metadata.name",
  "metadata.namespace",
  "metadata.uid",
  "spec.nodeName",
  "spec.serviceAccountName",
  "status.hostIP",
  "status.hostIPs",
  "status.podIP",
  "status.podIPs",
];
const STANDARD_RESOURCES = ["cpu", "memory", "ephemeral-storage"];

function validateEnv(env: EnvVar[] | undefined, path: string): FieldError[] {
  const errors: FieldError[] = [];
  (env ?? []).forEach((v, i) => {
    const at = `${path}[${i}]`;
    if (!v.name) errors.push(required(`${at}.name`));
    else for (const msg of envVarName(v.name)) errors.push(invalid(`${at}.name`, v.name, msg));
    if (!v.valueFrom) return;
    if (v.value)
      errors.push(invalid(`${at}.valueFrom`, "", "may not be specified when `value` is not empty"));
    const from = v.valueFrom;
    const sources = [from.fieldRef, from.secretKeyRef, from.configMapKeyRef, from.resourceFieldRef].filter(
      Boolean,
    );
    if (sources.length !== 1) {
      errors.push(
        invalid(
          `${at}.valueFrom`,
          "",
          "must specify one of: `configMapKeyRef`, `fieldRef`, `resourceFieldRef` or `secretKeyRef`",
        ),
      );
    }
    const fieldPath = from.fieldRef?.fieldPath;
    if (
      from.fieldRef &&
      !FIELD_PATHS.includes(fieldPath ?? "") &&
      !/^metadata\.(labels|annotations)\['.+'\]$/.test(fieldPath ?? "")
    ) {
      errors.push(notSupported(`${at}.valueFrom.fieldRef.fieldPath`, fieldPath ?? "", FIELD_PATHS));
    }
    for (const [kind, ref] of [
      ["secretKeyRef", from.secretKeyRef],
      ["configMapKeyRef", from.configMapKeyRef],
    ] as const) {
      if (!ref) continue;
      if (!ref.name) errors.push(required(`${at}.valueFrom.${kind}.name`));
      if (!ref.key) errors.push(required(`${at}.valueFrom.${kind}.key`));
    }
  });
  return errors;
}

/** ValidateEnvFrom: one source each, a valid prefix and object name. */
function validateEnvFrom(envFrom: ContainerSpec["envFrom"], path: string): FieldError[] {
  const errors: FieldError[] = [];
  (envFrom ?? []).forEach((source, i) => {
    const at = `${path}[${i}]`;
    if (source.prefix) {
      for (const msg of envVarName(source.prefix)) errors.push(invalid(`${at}.prefix`, source.prefix, msg));
    }
    const refs = (["configMapRef", "secretRef"] as const).filter((kind) => source[kind]);
    for (const kind of refs) {
      const name = source[kind]?.name;
      if (!name) errors.push(required(`${at}.${kind}.name`));
      else for (const msg of dns1123Subdomain(name)) errors.push(invalid(`${at}.${kind}.name`, name, msg));
    }
    if (refs.length === 0)
      errors.push(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"));
    if (refs.length > 1)
      errors.push(invalid(path, "", "may not have more than one field specified at a time"));
  });
  return errors;
}

/** Extended resources (a domain outside kubernetes.io) are whole and never overcommitted. */
const isExtended = (name: string) => name.includes("/") && !name.includes("kubernetes.io/");

function validResourceName(name: string): boolean {
  if (STANDARD_RESOURCES.includes(name) || name.startsWith("hugepages-")) return true;
  return name.includes("/") && qualifiedName(name).length === 0 && !name.startsWith("kubernetes.io/");
}

/** Resource names, non-negative quantities, and requests ≤ limits (quantities already decoded). */
function validateResources(resources: ContainerSpec["resources"], path: string): FieldError[] {
  const errors: FieldError[] = [];
  const parsed = (value: string) => parseQuantity(value) as Quantity;
  for (const kind of ["limits", "requests"] as const) {
    for (const [name, value] of Object.entries(resources?.[kind] ?? {})) {
      const at = `${path}.${kind}[${name}]`;
      if (!validResourceName(name))
        errors.push(invalid(at, name, "must be a standard resource for containers"));
      if (isNegative(parsed(value))) errors.push(invalid(at, value, "must be greater than or equal to 0"));
      if (isExtended(name) && !/^\d+$/.test(value)) errors.push(invalid(at, value, "must be an integer"));
    }
  }
  for (const [name, value] of Object.entries(resources?.requests ?? {})) {
    const limit = resources?.limits?.[name];
    if (limit === undefined) {
      if (isExtended(name)) {
        errors.push(required(`${path}.limits`, "Limit must be set for non overcommitable resources"));
      }
      continue;
    }
    const request = parsed(value);
    if (isExtended(name) && compareQuantities(request, parsed(limit)) !== 0) {
      errors.push(
        invalid(
          `${path}.requests`,
          formatQuantity(request),
          `must be equal to ${name} limit of ${formatQuantity(parsed(limit))}`,
        ),
      );
    } else if (compareQuantities(request, parsed(limit)) > 0) {
      errors.push(
        invalid(
          `${path}.requests`,
          formatQuantity(request),
          `must be less than or equal to ${name} limit of ${formatQuantity(parsed(limit))}`,
        ),
      );
    }
  }
  return errors;
}

function validateVolumeMounts(container: ContainerSpec, path: string, volumes: Set<string>): FieldError[] {
  const errors: FieldError[] = [];
  const mountPaths = new Set<string>();
  (container.volumeMounts ?? []).forEach((m, i) => {
    const at = `${path}[${i}]`;
    if (!m.name) errors.push(required(`${at}.name`));
    else if (!volumes.has(m.name)) errors.push(notFoundValue(`${at}.name`, m.name));
    if (!m.mountPath) errors.push(required(`${at}.mountPath`));
    else {
      if (!m.mountPath.startsWith("/"))
        errors.push(invalid(`${at}.mountPath`, m.mountPath, "must be an absolute path"));
      if (mountPaths.has(m.mountPath)) errors.push(invalid(`${at}.mountPath`, m.mountPath, "must be unique"));
      mountPaths.add(m.mountPath);
    }
  });
  return errors;
}

/**
 * validateContainers / validateInitContainers: names (DNS-1123 labels, unique across the Pod's
 * regular and init containers: `names` carries them over), image, pull policy, env, envFrom,
 * mounts, resources, security context; `restartPolicy` only `Always`, only on init containers.
 */
export function validateContainers(
  containers: ContainerSpec[],
  path: string,
  volumes: Set<string>,
  options: { init?: boolean; names?: Set<string> } = {},
): FieldError[] {
  if (options.init && (containers === undefined || containers.length === 0)) return [];
  if (!Array.isArray(containers) || containers.length === 0) return [required(path)];
  const errors: FieldError[] = [];
  const names = options.names ?? new Set<string>();
  containers.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!c.name) errors.push(required(`${at}.name`));
    else {
      for (const msg of dns1123Label(c.name)) errors.push(invalid(`${at}.name`, c.name, msg));
      if (names.has(c.name)) errors.push(duplicate(`${at}.name`, c.name));
      names.add(c.name);
    }
    if (!c.image) errors.push(required(`${at}.image`));
    else if (c.image !== c.image.trim()) {
      errors.push(invalid(`${at}.image`, c.image, "must not have leading or trailing whitespace"));
    }
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy)) {
      errors.push(notSupported(`${at}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
    }
    if (c.restartPolicy !== undefined) {
      if (!options.init)
        errors.push(forbiddenField(`${at}.restartPolicy`, "may not be set for non-init containers"));
      else if (c.restartPolicy !== "Always")
        errors.push(notSupported(`${at}.restartPolicy`, c.restartPolicy, ["Always"]));
    }
    errors.push(...validateEnv(c.env, `${at}.env`));
    errors.push(...validateEnvFrom(c.envFrom, `${at}.envFrom`));
    errors.push(...validateSecurityContext(c.securityContext, `${at}.securityContext`));
    errors.push(...validateVolumeMounts(c, `${at}.volumeMounts`, volumes));
    errors.push(...validateResources(c.resources, `${at}.resources`));
  });
  return errors;
}
