import { describe, expect, it } from "vitest";
import { MASKED, SecretMask } from "../../src/secrets/secret-mask.ts";

const token = "ghp_s3cr3t/t0ken+value=";

describe("SecretMask", () => {
  it("masks the raw value, its URL-encoded and its base64 forms", () => {
    const mask = new SecretMask([token]);
    expect(mask.mask(`token ${token} end`)).toBe(`token ${MASKED} end`);
    expect(mask.mask(`https://x:${encodeURIComponent(token)}@h/`)).toBe(`https://x:${MASKED}@h/`);
    expect(mask.mask(Buffer.from(token).toString("base64"))).toBe(MASKED);
    expect(mask.mask(Buffer.from(token).toString("base64url"))).toBe(MASKED);
  });

  it("masks the secret inside a longer base64 text at every byte alignment", () => {
    const mask = new SecretMask([token]);
    for (const prefix of ["", "a", "ab", "abc", "x-access-token:"]) {
      const encoded = Buffer.from(`${prefix}${token}trailing`).toString("base64");
      const masked = mask.mask(`Authorization: Basic ${encoded}`);
      expect(masked).toContain(MASKED);
      // What is left cannot be decoded back to the secret.
      const rest = masked.replace(`Authorization: Basic `, "").split(MASKED).join("");
      expect(Buffer.from(rest, "base64").toString("latin1")).not.toContain(token.slice(0, 8));
    }
  });

  it("masks every string of a JSON value, keys included, and ignores short secrets", () => {
    const mask = new SecretMask(["abc", undefined, token]);
    expect(mask.empty).toBe(false);
    const masked = mask.maskDeep({ a: [`x${token}`, 1, null], [token]: { abc: "abc" } });
    expect(JSON.stringify(masked)).toBe(
      JSON.stringify({ a: [`x${MASKED}`, 1, null], [MASKED]: { abc: "abc" } }),
    );
  });

  it("masks a secret added later, and the longer of two overlapping secrets whole", () => {
    const mask = new SecretMask();
    expect(mask.mask(token)).toBe(token);
    mask.add("s3cr3t");
    mask.add(token);
    expect(mask.mask(`[${token}] [s3cr3t]`)).toBe(`[${MASKED}] [${MASKED}]`);
  });
});
