import { randomUUID } from "node:crypto";
import * as client from "openid-client";
import { z } from "zod";
import { openCookie, sealCookie } from "./sealed-cookie.ts";

/** The cookie that carries a sign-in from `/auth/login` to `/auth/callback`, in this browser only. */
export const LOGIN_COOKIE = "updraft_login";
/** Sent only to the callback (and login, which replaces it). */
export const LOGIN_COOKIE_PATH = "/auth";
/** How long a person has to sign in at the provider. */
export const LOGIN_TTL_MS = 10 * 60 * 1000;

/** One sign-in in progress: what the callback checks the provider's answer against. */
export interface LoginTransaction {
  /** Marks the transaction used once the callback has seen it. */
  id: string;
  state: string;
  nonce: string;
  /** PKCE: the secret whose S256 hash went to the provider. */
  codeVerifier: string;
  /** The local path to return to. */
  next: string;
  expiresAt: number;
}

const transactionClaims = z.object({
  id: z.string().min(1),
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(43),
  next: z.string().startsWith("/"),
  expiresAt: z.number(),
});

/** A fresh transaction returning to `next` (already a local path). */
export function newLoginTransaction(next: string, now: number): LoginTransaction {
  return {
    id: randomUUID(),
    state: client.randomState(),
    nonce: client.randomNonce(),
    codeVerifier: client.randomPKCECodeVerifier(),
    next,
    expiresAt: now + LOGIN_TTL_MS,
  };
}

export function sealLoginTransaction(
  transaction: LoginTransaction,
  key: Uint8Array,
  now: number,
): Promise<string> {
  return sealCookie("login", { ...transaction }, key, transaction.expiresAt, now);
}

/** The transaction in the cookie; undefined when missing, tampered, expired or sealed with another key. */
export async function openLoginTransaction(
  value: string | undefined,
  key: Uint8Array,
  now: number,
): Promise<LoginTransaction | undefined> {
  const parsed = transactionClaims.safeParse(await openCookie("login", value, key, now));
  return parsed.success && parsed.data.expiresAt > now ? parsed.data : undefined;
}
