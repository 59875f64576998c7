import { isIP } from "node:net";
import type { PodSpec } from "../types.ts";
import { invalid, notSupported, required, type FieldError } from "./field-errors.ts";
import { dns1123Subdomain, qualifiedName } from "./names.ts";
import { validatePodSecurityContext } from "./security-validation.ts";

const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
const UNSATISFIABLE = ["DoNotSchedule", "ScheduleAnyway"];
const IP_MESSAGE = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)";

interface SpreadConstraint {
  maxSkew?: number;
  topologyKey?: string;
  whenUnsatisfiable?: string;
  minDomains?: number;
}

function validateDns(spec: PodSpec): FieldError[] {
  const errors: FieldError[] = [];
  const policy = spec.dnsPolicy as string | undefined;
  if (policy !== undefined && !DNS_POLICIES.includes(policy)) {
    errors.push(notSupported("spec.dnsPolicy", policy, DNS_POLICIES));
  }
  const config = spec.dnsConfig as { nameservers?: string[]; searches?: string[] } | undefined;
  (config?.nameservers ?? []).forEach((ns, i) => {
    if (isIP(ns) === 0) errors.push(invalid(`spec.dnsConfig.nameservers[${i}]`, ns, IP_MESSAGE));
  });
  if ((config?.nameservers?.length ?? 0) > 3) {
    errors.push(
      invalid(
        "spec.dnsConfig.nameservers",
        config?.nameservers?.join(" "),
        "must not have more than 3 nameservers",
      ),
    );
  }
  if (policy === "None" && (config?.nameservers?.length ?? 0) === 0) {
    errors.push(required("spec.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"));
  }
  return errors;
}

function validateHostAliases(spec: PodSpec): FieldError[] {
  const aliases = (spec.hostAliases as Array<{ ip?: string; hostnames?: string[] }> | undefined) ?? [];
  return aliases.flatMap((alias, i) => [
    ...(isIP(alias.ip ?? "") === 0 ? [invalid(`spec.hostAliases[${i}].ip`, alias.ip ?? "", IP_MESSAGE)] : []),
    ...(alias.hostnames ?? []).flatMap((host, h) =>
      dns1123Subdomain(host).map((msg) => invalid(`spec.hostAliases[${i}].hostnames[${h}]`, host, msg)),
    ),
  ]);
}

function validateSpread(spec: PodSpec): FieldError[] {
  const constraints = (spec.topologySpreadConstraints as SpreadConstraint[] | undefined) ?? [];
  return constraints.flatMap((c, i) => {
    const at = `spec.topologySpreadConstraints[${i}]`;
    const errors: FieldError[] = [];
    if (!Number.isInteger(c.maxSkew) || (c.maxSkew ?? 0) <= 0) {
      errors.push(invalid(`${at}.maxSkew`, c.maxSkew ?? 0, "must be greater than zero"));
    }
    if (!c.topologyKey) errors.push(required(`${at}.topologyKey`, "can not be empty"));
    else
      for (const msg of qualifiedName(c.topologyKey))
        errors.push(invalid(`${at}.topologyKey`, c.topologyKey, msg));
    if (!UNSATISFIABLE.includes(c.whenUnsatisfiable ?? "")) {
      errors.push(notSupported(`${at}.whenUnsatisfiable`, c.whenUnsatisfiable ?? "", UNSATISFIABLE));
    }
    return errors;
  });
}

function validateClassNames(spec: PodSpec): FieldError[] {
  return (["priorityClassName", "runtimeClassName"] as const).flatMap((field) => {
    const value = spec[field];
    if (typeof value !== "string" || value === "") return [];
    return dns1123Subdomain(value).map((msg) => invalid(`spec.${field}`, value, msg));
  });
}

/** The Pod spec fields issue 14 added to updraft's Pods: DNS, host aliases, spread, classes, security. */
export function validatePodSpecExtras(spec: PodSpec): FieldError[] {
  return [
    ...validatePodSecurityContext(spec.securityContext),
    ...validateDns(spec),
    ...validateHostAliases(spec),
    ...validateSpread(spec),
    ...validateClassNames(spec),
  ];
}
