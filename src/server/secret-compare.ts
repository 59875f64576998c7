import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** Compares two secrets in constant time (hashing first, so their lengths leak nothing either). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Verifies GitHub's `X-Hub-Signature-256` (`sha256=<hex HMAC of the raw body>`). */
export function githubSignatureValid(body: Uint8Array, header: string | undefined, secret: string): boolean {
  if (!header?.startsWith("sha256=")) return false;
  const expected = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
  return secretsEqual(header, expected);
}
