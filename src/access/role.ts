/** What a person or token may do: every read; run control; and everything including the audit log. */
export type Role = "viewer" | "operator" | "admin";

/** The roles from least to most: each may do what the ones before it may. */
export const ROLES: readonly Role[] = ["viewer", "operator", "admin"];

export function isRole(text: unknown): text is Role {
  return typeof text === "string" && (ROLES as readonly string[]).includes(text);
}

/** True when `role` may do what `needed` may. */
export function roleCovers(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** The higher of two roles (undefined: none). */
export function higherRole(a: Role | undefined, b: Role | undefined): Role | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return roleCovers(a, b) ? a : b;
}
