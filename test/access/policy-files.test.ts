// Roles and tokens files (issue #13 points 2-4): who gets which role on which DAG folders, and
// errors that name the flag, the file, the line and the fix.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { roleOnDag, highestRole } from "../../src/access/grant.ts";
import { RolesPolicy } from "../../src/access/roles-file.ts";
import { tokenHash } from "../../src/access/token-hash.ts";
import { TokenRegistry } from "../../src/access/tokens-file.ts";
import { SettingsFileError } from "../../src/config/yaml-file.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("file");

async function file(name: string, text: string): Promise<string> {
  const dir = await cleanup.tempDir("policy-");
  const target = path.join(dir, name);
  await writeFile(target, text);
  return target;
}

function errorOf(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsFileError);
    return (error as Error).message;
  }
  throw new Error("expected the file to be refused");
}

const ROLES = `# who may do what
viewer:
  - "*@example.com"
operator:
  - { group: team-a, dags: ["team-a/**"] }
  - { email: bob@example.com, dags: ["team-b/*.ts"] }
admin:
  - alice@example.com
  - { group: platform }
`;

describe("--roles", () => {
  it("grants by email, *@domain pattern and group, each with its DAG-folder scope", async () => {
    const policy = RolesPolicy.fromFile(await file("roles.yaml", ROLES));
    const olga = policy.grantsFor({ email: "olga@example.com", groups: ["team-a", "unrelated"] });
    expect(olga.map((grant) => grant.role).sort()).toEqual(["operator", "viewer"]);
    expect(roleOnDag(olga, "team-a/etl.ts")).toBe("operator");
    expect(roleOnDag(olga, "team-a/deep/er/etl.ts")).toBe("operator");
    expect(roleOnDag(olga, "team-b/etl.ts")).toBe("viewer");
    expect(roleOnDag(olga, "team-ab/etl.ts")).toBe("viewer");
    // A DAG that is not loaded (no file) is reached only by unscoped grants.
    expect(roleOnDag(olga, undefined)).toBe("viewer");

    const bob = policy.grantsFor({ email: "Bob@Example.com", groups: [] });
    expect(roleOnDag(bob, "team-b/x.ts")).toBe("operator");
    expect(roleOnDag(bob, "team-b/sub/x.ts")).toBe("viewer");

    expect(highestRole(policy.grantsFor({ email: "alice@example.com", groups: [] }))).toBe("admin");
    expect(highestRole(policy.grantsFor({ email: "x@else.org", groups: ["platform"] }))).toBe("admin");
    expect(policy.grantsFor({ email: "mallory@example.com.evil.org", groups: [] })).toEqual([]);
    expect(policy.grantsFor({ email: "a@b@example.com", groups: [] })).toEqual([]);
    expect(policy.grantsFor({ email: undefined, groups: ["team-b"] })).toEqual([]);
    expect([...policy.groups].sort()).toEqual(["platform", "team-a"]);
  });

  it("names the file and line of a bad entry, and what to write instead", async () => {
    const roles = await file("roles.yaml", "viewer:\n  - alice@example.com\noperator:\n  - team-a\n");
    expect(errorOf(() => RolesPolicy.fromFile(roles))).toMatch(
      /^--roles: .*roles\.yaml:4: operator\.0: .*for a group write \{ group: NAME \}/,
    );
    const typo = await file("roles.yaml", "admins:\n  - alice@example.com\n");
    expect(errorOf(() => RolesPolicy.fromFile(typo))).toMatch(/roles\.yaml:1: .*admins/);
    const notYaml = await file("roles.yaml", "viewer: [a@b.c\n");
    expect(errorOf(() => RolesPolicy.fromFile(notYaml))).toMatch(/roles\.yaml:\d+: not valid YAML/);
    expect(errorOf(() => RolesPolicy.fromFile("/no/such/roles.yaml"))).toMatch(
      /^--roles: cannot read \/no\/such\/roles\.yaml \(ENOENT\)/,
    );
    const emptyScope = await file("roles.yaml", "operator:\n  - { group: a, dags: [] }\n");
    expect(errorOf(() => RolesPolicy.fromFile(emptyScope))).toMatch(
      /roles\.yaml:2: operator\.0\.dags: list at least one glob/,
    );
  });
});

describe("--tokens-file", () => {
  const ci = "ci-token-0123456789abcdef";
  const reader = "reader-token-0123456789abcdef";

  it("finds a token by its hash, with its role and scope; an unknown token is nobody", async () => {
    const tokens = TokenRegistry.fromFile(
      await file(
        "tokens.yaml",
        `tokens:
  - { name: ci-team-a, role: operator, hash: "${tokenHash(ci)}", dags: ["team-a/**"] }
  - { name: dashboards, role: viewer, hash: "${tokenHash(reader)}" }
`,
      ),
    );
    const found = tokens.match(ci);
    expect(found?.name).toBe("ci-team-a");
    expect(roleOnDag(found ? [found.grant] : [], "team-a/x.ts")).toBe("operator");
    expect(roleOnDag(found ? [found.grant] : [], "team-b/x.ts")).toBeUndefined();
    expect(tokens.match(reader)?.grant.role).toBe("viewer");
    expect(tokens.match(`${ci}x`)).toBeUndefined();
    expect(tokens.match(tokenHash(ci))).toBeUndefined();
  });

  it("refuses a hash that is not sha256:<hex>, duplicate names and hashes, and unknown roles, by line", async () => {
    const bad = await file(
      "tokens.yaml",
      "tokens:\n  - name: ci\n    role: operator\n    hash: plain-token\n",
    );
    expect(errorOf(() => TokenRegistry.fromFile(bad))).toMatch(
      /^--tokens-file: .*tokens\.yaml:4: tokens\.0\.hash: must be "sha256:" and 64 hex digits \(see `updraft token hash`\)/,
    );
    const twice = await file(
      "tokens.yaml",
      `tokens:\n  - { name: ci, role: viewer, hash: "${tokenHash(ci)}" }\n  - { name: ci, role: admin, hash: "${tokenHash(reader)}" }\n`,
    );
    expect(errorOf(() => TokenRegistry.fromFile(twice))).toMatch(
      /tokens\.yaml:3: tokens\.1\.name: the same name as an earlier token/,
    );
    const role = await file(
      "tokens.yaml",
      `tokens:\n  - { name: ci, role: root, hash: "${tokenHash(ci)}" }\n`,
    );
    expect(errorOf(() => TokenRegistry.fromFile(role))).toMatch(/tokens\.yaml:2: tokens\.0\.role: /);
  });
});
