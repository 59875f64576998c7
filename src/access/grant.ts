import type { DagScope } from "./dag-scope.ts";
import { higherRole, type Role } from "./role.ts";

/** A role, on every DAG or on the DAGs whose files a scope matches. */
export interface Grant {
  readonly role: Role;
  /** Absent: every DAG (and what belongs to no DAG, such as the audit log). */
  readonly scope?: DagScope | undefined;
}

/** The highest role any grant gives, whatever its scope (what `/api/me` and the audit log show). */
export function highestRole(grants: readonly Grant[]): Role | undefined {
  let role: Role | undefined;
  for (const grant of grants) role = higherRole(role, grant.role);
  return role;
}

/**
 * The highest role the grants give on one DAG. `dagFile` is the DAG's file relative to the DAGs
 * folder; undefined (a DAG no longer loaded, or no DAG at all) only unscoped grants reach.
 */
export function roleOnDag(grants: readonly Grant[], dagFile: string | undefined): Role | undefined {
  let role: Role | undefined;
  for (const grant of grants)
    if (!grant.scope || (dagFile !== undefined && grant.scope.matches(dagFile)))
      role = higherRole(role, grant.role);
  return role;
}
