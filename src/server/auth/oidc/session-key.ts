import { randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  ensurePrivateDir,
  STATE_DIR_MODE,
  STATE_FILE_MODE,
  writeFileDurably,
} from "../../../store/durable-write.ts";
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

/**
 * `loadSessionKey` for the daemon's wiring, which is synchronous: the key is written to a temp
 * file, fsynced and linked into place, so replicas starting together on one state dir agree on
 * whichever key was linked first and a crash never leaves half a key.
 */
export function loadSessionKeySync(stateDir: string): Uint8Array {
  const file = path.join(stateDir, SESSION_KEY_FILE);
  const existing = readKeySync(file);
  if (existing) return existing;
  mkdirSync(stateDir, { recursive: true, mode: STATE_DIR_MODE });
  chmodSync(stateDir, STATE_DIR_MODE);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", STATE_FILE_MODE);
  try {
    writeSync(fd, `${randomBytes(SESSION_KEY_BYTES).toString("base64url")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temp);
  }
  syncFolderSync(stateDir);
  return readKeySync(file) ?? parseKey("", file);
}

function syncFolderSync(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } catch (error) {
    // Some file systems cannot fsync a folder; their links are as durable as they get.
    if (
      (error as NodeJS.ErrnoException).code !== "EINVAL" &&
      (error as NodeJS.ErrnoException).code !== "ENOTSUP"
    )
      throw error;
  } finally {
    closeSync(fd);
  }
}

function readKeySync(file: string): Uint8Array | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read the session key ${file}: ${(error as Error).message}`, { cause: error });
  }
  return parseKey(text, file);
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
