import { z } from "zod";
import { readYamlSettings } from "../config/yaml-file.ts";
import { dagScope } from "./dag-scope.ts";
import type { Grant } from "./grant.ts";
import { ROLES, type Role } from "./role.ts";

const dagGlobs = z.array(z.string().min(1, "a DAG glob cannot be empty")).min(1, "list at least one glob");
const emailText = z
  .string()
  .trim()
  .regex(
    /^[^@\s]+@[^@\s]+$/,
    'must be an email or a "*@example.com" pattern; for a group write { group: NAME }',
  );
const entry = z.union([
  emailText,
  z.strictObject({ email: emailText, dags: dagGlobs.optional() }),
  z.strictObject({ group: z.string().min(1), dags: dagGlobs.optional() }),
]);
const rolesSchema = z.strictObject({
  viewer: z.array(entry).optional(),
  operator: z.array(entry).optional(),
  admin: z.array(entry).optional(),
});

/** What a signed-in person is known by: a verified email and the groups the provider names. */
export interface Identity {
  email?: string | undefined;
  groups: readonly string[];
}

interface Rule {
  readonly role: Role;
  readonly email?: RegExp;
  readonly group?: string;
  readonly grant: Grant;
}

/** `--roles FILE`: who gets which role, on which DAG folders. */
export class RolesPolicy {
  readonly #rules: readonly Rule[];
  /** Groups the file names: a session keeps only these (a provider may list hundreds). */
  readonly groups: ReadonlySet<string>;

  constructor(rules: readonly Rule[]) {
    this.#rules = rules;
    this.groups = new Set(rules.flatMap((rule) => (rule.group === undefined ? [] : [rule.group])));
  }

  static fromFile(file: string): RolesPolicy {
    return RolesPolicy.fromSettings(readYamlSettings(file, "--roles", rolesSchema));
  }

  static fromSettings(settings: z.output<typeof rolesSchema>): RolesPolicy {
    const rules: Rule[] = [];
    for (const role of ROLES)
      for (const item of settings[role] ?? []) {
        const spec = typeof item === "string" ? { email: item } : item;
        const grant: Grant = { role, scope: spec.dags ? dagScope(spec.dags) : undefined };
        if ("group" in spec) rules.push({ role, group: spec.group, grant });
        else rules.push({ role, email: emailPattern(spec.email), grant });
      }
    return new RolesPolicy(rules);
  }

  /** Every grant whose entry names the person's email (or its pattern) or one of their groups. */
  grantsFor(identity: Identity): Grant[] {
    const email = identity.email?.toLowerCase();
    const groups = new Set(identity.groups);
    return this.#rules
      .filter((rule) =>
        rule.group !== undefined ? groups.has(rule.group) : email !== undefined && rule.email?.test(email),
      )
      .map((rule) => rule.grant);
  }
}

/** `alice@example.com` exactly, or `*@example.com`: `*` stands for any characters but `@`. */
function emailPattern(text: string): RegExp {
  const parts = text
    .toLowerCase()
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[^@]*")}$`);
}
