import type { JournalEntry } from "../../support/fake-kube/index.ts";

/** A rule as a Role lists it (resourceNames optional). */
export interface RoleRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

const matches = (granted: readonly string[], wanted: string) =>
  granted.includes("*") || granted.includes(wanted);

/**
 * Would RBAC allow this request under `rules`? The authorizer's logic for namespaced resource
 * requests: group, resource (with subresource), verb, and resourceNames, which only match requests
 * that name an object (a create or list never does).
 */
export function allows(rules: readonly RoleRule[], request: JournalEntry): boolean {
  return rules.some(
    (rule) =>
      matches(rule.apiGroups, request.apiGroup) &&
      matches(rule.resources, request.resource) &&
      matches(rule.verbs, request.verb) &&
      (!rule.resourceNames?.length ||
        (request.name !== undefined && rule.resourceNames.includes(request.name))),
  );
}

/** `group/resource verb` for every permission the rules grant, sorted: to compare rule sets exactly. */
export function permissions(rules: readonly RoleRule[]): string[] {
  const all = new Set<string>();
  for (const rule of rules)
    for (const group of rule.apiGroups)
      for (const resource of rule.resources)
        for (const verb of rule.verbs) all.add(`${group || "core"}/${resource} ${verb}`);
  return [...all].sort();
}
