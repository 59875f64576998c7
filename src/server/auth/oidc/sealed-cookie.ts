import { EncryptJWT, type JWTPayload, jwtDecrypt } from "jose";

/** What a sealed cookie is for: a session cookie cannot be replayed as a login transaction, nor the reverse. */
export type CookieUse = "session" | "login";

/**
 * Seals `claims` for a cookie: encrypted and authenticated with the session key (JWE, `dir` +
 * A256GCM), so the browser can neither read nor change it, and it ends at `expiresAt` (epoch ms).
 */
export async function sealCookie(
  use: CookieUse,
  claims: Record<string, unknown>,
  key: Uint8Array,
  expiresAt: number,
  now: number,
): Promise<string> {
  return new EncryptJWT({ ...claims, use })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(Math.ceil(expiresAt / 1000))
    .encrypt(key);
}

/** The claims of a cookie sealed for `use`; undefined when it is tampered, expired, for another use or another key. */
export async function openCookie(
  use: CookieUse,
  value: string | undefined,
  key: Uint8Array,
  now: number,
): Promise<JWTPayload | undefined> {
  if (value === undefined || value === "") return undefined;
  try {
    const { payload } = await jwtDecrypt(value, key, {
      currentDate: new Date(now),
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
      requiredClaims: ["exp"],
      clockTolerance: 0,
    });
    return payload["use"] === use ? payload : undefined;
  } catch {
    return undefined;
  }
}
