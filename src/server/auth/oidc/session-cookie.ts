import type { CookieOptions } from "hono/utils/cookie";
import { z } from "zod";
import type { SessionUser } from "../session-port.ts";
import { openCookie, sealCookie } from "./sealed-cookie.ts";

export const SESSION_COOKIE = "updraft_session";
/** Browsers keep cookies up to 4096 bytes (name, value and attributes): stay well under. */
export const MAX_SESSION_COOKIE_BYTES = 3500;

/** A session cookie's contents: the user, and the ID token for the provider's sign-out when it fits. */
export interface SessionRecord extends SessionUser {
  idToken?: string | undefined;
}

const sessionClaims = z.object({
  sub: z.string().min(1),
  email: z.string().optional(),
  name: z.string().optional(),
  groups: z.array(z.string()),
  csrfToken: z.string().min(16),
  expiresAt: z.number(),
  idToken: z.string().optional(),
});

/** The cookie value for `record`: with its ID token when the whole stays under the size limit, else without. */
export async function sealSession(record: SessionRecord, key: Uint8Array, now: number): Promise<string> {
  const { idToken, ...user } = record;
  const claims = withoutUndefined(user);
  if (idToken !== undefined) {
    const sealed = await sealCookie("session", { ...claims, idToken }, key, record.expiresAt, now);
    if (SESSION_COOKIE.length + 1 + sealed.length + ATTRIBUTES_BYTES <= MAX_SESSION_COOKIE_BYTES)
      return sealed;
  }
  return sealCookie("session", claims, key, record.expiresAt, now);
}

/** The session in a cookie value; undefined when missing, tampered, expired or sealed with another key. */
export async function openSession(
  value: string | undefined,
  key: Uint8Array,
  now: number,
): Promise<SessionRecord | undefined> {
  const payload = await openCookie("session", value, key, now);
  const parsed = sessionClaims.safeParse(payload);
  if (!parsed.success || parsed.data.expiresAt <= now) return undefined;
  return parsed.data;
}

/** The session cookie's attributes. */
export function sessionCookieOptions(secure: boolean, maxAgeSeconds: number): CookieOptions {
  return { httpOnly: true, sameSite: "Lax", path: "/", secure, maxAge: maxAgeSeconds };
}

/** `; Max-Age=…; Path=/; HttpOnly; Secure; SameSite=Lax` at its longest. */
const ATTRIBUTES_BYTES = 80;

function withoutUndefined(record: SessionUser): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}
