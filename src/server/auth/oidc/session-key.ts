import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ensurePrivateDir, writeFileDurably } from "../../../store/durable-write.ts";
import { SESSION_KEY_BYTES } from "./oidc-settings.ts";

/** The file in the state dir that holds the key sealing session cookies. */
export const SESSION_KEY_FILE = "session.key";

/**
 * The key that seals session cookies, from `<stateDir>/session.key`: made once (32 random bytes,
 * base64url text, mode 0600, written durably), read on every later start, so sessions survive a
 * restart. Replicas behind one URL need the same file; replacing it signs everybody out.
 */
export async function loadSessionKey(stateDir: string): Promise<Uint8Array> {
  const file = path.join(stateDir, SESSION_KEY_FILE);
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new Error(`cannot read the session key ${file}: ${error.message}`, { cause: error });
  });
  if (text !== undefined) return parseKey(text, file);
  const key = randomBytes(SESSION_KEY_BYTES);
  await ensurePrivateDir(stateDir);
  await writeFileDurably(file, `${key.toString("base64url")}\n`);
  return new Uint8Array(key);
}

function parseKey(text: string, file: string): Uint8Array {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9_-]+$/.test(trimmed) ? Buffer.from(trimmed, "base64url") : Buffer.alloc(0);
  if (key.byteLength !== SESSION_KEY_BYTES)
    throw new Error(
      `the session key ${file} does not hold ${SESSION_KEY_BYTES} base64url-encoded bytes: delete it to make a new one (everybody signed in will have to sign in again)`,
    );
  return new Uint8Array(key);
}
