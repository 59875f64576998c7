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

  it("masks a secret as JSON and HTML escape it", () => {
    const quoted = `q"u&o<t>e'd-secret\\`;
    const mask = new SecretMask([quoted]);
    expect(mask.mask(JSON.stringify({ v: `a ${quoted} b` }))).toBe(JSON.stringify({ v: `a ${MASKED} b` }));
    const html = quoted.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    expect(mask.mask(`<p>${html.replace(/"/g, "&quot;").replace(/'/g, "&#39;")}</p>`)).toBe(
      `<p>${MASKED}</p>`,
    );
  });

  it("masks a text streamed in pieces exactly as it masks it whole, whatever the cuts", () => {
    const mask = new SecretMask([token, "s3cr3t-two"]);
    const b64 = Buffer.from(`x-access-token:${token}`).toString("base64");
    const text = `head ${token} mid ${encodeURIComponent(token)} s3cr3t-two ${b64} tail ${token}`;
    for (let size = 1; size <= text.length; size += 3) {
      let out = "";
      let rest = "";
      for (let at = 0; at < text.length; at += size) {
        const piece = mask.maskPrefix(rest + text.slice(at, at + size));
        expect(piece.rest.length).toBeLessThan(b64.length + 4);
        out += piece.masked;
        rest = piece.rest;
      }
      out += mask.mask(rest);
      expect(out, `pieces of ${size}`).toBe(mask.mask(text));
    }
    expect(new SecretMask().maskPrefix("plain")).toEqual({ masked: "plain", rest: "" });
  });

  it("holds back only a tail that some secret form begins with, so pieces of plain text keep their size", () => {
    const mask = new SecretMask([token]);
    expect(mask.maskPrefix("a".repeat(100))).toEqual({ masked: "a".repeat(100), rest: "" });
    expect(mask.maskPrefix(`plain ${token.slice(0, 5)}`)).toEqual({
      masked: "plain ",
      rest: token.slice(0, 5),
    });
  });
});
