import { createHash } from "node:crypto";

/** How a tokens file stores a token: `sha256:<hex>` (tokens are random, so no salt or slow hash is needed). */
export function tokenHash(token: string): string {
  return `sha256:${createHash("sha256").update(token).digest("hex")}`;
}

export const TOKEN_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;
