import { describe, expect, it } from "vitest";
import { identityFrom } from "../../../../src/server/auth/oidc/identity-claims.ts";
import { UsedLogins } from "../../../../src/server/auth/oidc/used-logins.ts";

const KEEP = { groupsClaim: "groups", keepGroups: new Set(["admins", "team-a"]) };

describe("the identity a session keeps", () => {
  it("keeps a verified email and only the roles file's groups", () => {
    expect(
      identityFrom(
        { sub: "u1", email: "a@example.com", email_verified: true, groups: ["admins", "x", 7, "admins"] },
        undefined,
        KEEP,
      ),
    ).toEqual({ sub: "u1", email: "a@example.com", name: undefined, groups: ["admins"] });
  });

  it('drops an email marked unverified (false, or "false" as some providers send it)', () => {
    for (const verified of [false, "false"])
      expect(
        identityFrom({ sub: "u1", email: "a@example.com", email_verified: verified }, undefined, KEEP).email,
      ).toBeUndefined();
  });

  it("reads a single group given as a string, a custom claim name, and userinfo when the ID token lacks them", () => {
    expect(
      identityFrom({ sub: "u1", roles: "team-a" }, undefined, { ...KEEP, groupsClaim: "roles" }).groups,
    ).toEqual(["team-a"]);
    expect(
      identityFrom({ sub: "u1" }, { sub: "u1", email: "b@example.com", groups: ["team-a"], name: "B" }, KEEP),
    ).toEqual({ sub: "u1", email: "b@example.com", name: "B", groups: ["team-a"] });
  });

  it("reads claims by own name only (a groups claim named __proto__ or toString finds nothing inherited)", () => {
    const claims = JSON.parse('{"sub":"u1","__proto__":["admins"]}') as Record<string, unknown>;
    expect(identityFrom(claims, undefined, { ...KEEP, groupsClaim: "toString" }).groups).toEqual([]);
    expect(identityFrom(claims, undefined, { ...KEEP, groupsClaim: "__proto__" }).groups).toEqual(["admins"]);
  });
});

describe("used sign-ins", () => {
  it("refuse a second use until the transaction expires", () => {
    const used = new UsedLogins();
    expect(used.use("t1", 1000, 0)).toBe(true);
    expect(used.use("t1", 1000, 500)).toBe(false);
    // Past its expiry the transaction's cookie is refused anyway; the id is forgotten.
    expect(used.use("t2", 3000, 1500)).toBe(true);
    expect(used.size).toBe(1);
  });

  it("stay within their bound however many sign-ins arrive", () => {
    const used = new UsedLogins(100);
    for (let i = 0; i < 10_000; i += 1) used.use(`t${i}`, 1_000_000, 0);
    expect(used.size).toBe(100);
    expect(used.use("t9999", 1_000_000, 0)).toBe(false);
  });
});
