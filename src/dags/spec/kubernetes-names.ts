/**
 * The name, label and quantity rules kube-apiserver enforces (apimachinery's validation package),
 * so a DAG that would be rejected at pod creation is rejected at load time instead.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const ENV_VAR_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
// Kubernetes resource.Quantity: a signed decimal number, then a binary-SI, decimal-SI or exponent suffix.
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\d+)?$/;

/** Returns why `value` is not a DNS-1123 label (namespaces, volume names), or undefined. */
export function dns1123LabelError(value: string): string | undefined {
  if (value.length > 63) return `must be no more than 63 characters (has ${value.length})`;
  if (!DNS1123_LABEL.test(value)) {
    return "must consist of lower case letters, digits and '-', and start and end with a letter or digit";
  }
  return undefined;
}

/** Returns why `value` is not a DNS-1123 subdomain (secret and service account names), or undefined. */
export function dns1123SubdomainError(value: string): string | undefined {
  if (value.length > 253) return `must be no more than 253 characters (has ${value.length})`;
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return "must consist of lower case letters, digits, '-' and '.', and start and end with a letter or digit";
  }
  return undefined;
}

/** Returns why `key` is not a valid label or annotation key (`[prefix/]name`), or undefined. */
export function qualifiedNameError(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    const prefixError = prefix === "" ? "must not be empty" : dns1123SubdomainError(prefix);
    if (prefixError) return `prefix "${prefix}" ${prefixError}`;
  }
  if (name.length === 0) return "name part must not be empty";
  if (name.length > 63) return `name part must be no more than 63 characters (has ${name.length})`;
  if (!QUALIFIED_NAME_PART.test(name)) {
    return "name part must consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
  }
  return undefined;
}

/** Returns why `value` is not a valid label value, or undefined. */
export function labelValueError(value: string): string | undefined {
  if (value.length > 63) return `must be no more than 63 characters (has ${value.length})`;
  if (!LABEL_VALUE.test(value)) {
    return "must be empty or consist of letters, digits, '-', '_' or '.', and start and end with a letter or digit";
  }
  return undefined;
}

export function envVarNameError(name: string): string | undefined {
  if (!ENV_VAR_NAME.test(name)) {
    return "must consist of letters, digits, '_', '-' or '.', and must not start with a digit";
  }
  return undefined;
}

export function isQuantity(value: string): boolean {
  return QUANTITY.test(value);
}
