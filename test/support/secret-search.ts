import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/**
 * The forms a leaked token could take: as is, URL-encoded, base64 on its own and inside a Basic auth
 * header, and escaped as JSON and HTML text put it.
 */
export function tokenForms(token: string, username = "x-access-token"): string[] {
  const forms = [
    token,
    encodeURIComponent(token),
    Buffer.from(token).toString("base64"),
    Buffer.from(token).toString("base64url"),
    Buffer.from(`${username}:${token}`).toString("base64"),
    Buffer.from(`:${token}`).toString("base64"),
    JSON.stringify(token).slice(1, -1),
    token.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;"),
  ];
  return [...new Set(forms)];
}

/**
 * Every regular file under `dir` (relative paths), read as bytes: snapshots, mirror, state, logs.
 * Call it while the daemon is idle; a file or folder that vanishes meanwhile (an atomic write's
 * temp file, a pruned snapshot) is skipped.
 */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const walk = async (folder: string): Promise<void> => {
    const entries = await ignoreVanished(readdir(folder, { withFileTypes: true }));
    for (const entry of entries ?? []) {
      const absolute = path.join(folder, entry.name);
      if (entry.isDirectory()) await walk(absolute);
      else if (entry.isFile()) {
        const bytes = await ignoreVanished(readFile(absolute));
        if (bytes) files.set(path.relative(dir, absolute), bytes);
      }
    }
  };
  await walk(dir);
  return files;
}

async function ignoreVanished<T>(promise: Promise<T>): Promise<T | undefined> {
  return promise.catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
}

/** Where any of `needles` occurs: file names of `files`, and indexes of `texts`. */
export function findSecrets(
  needles: readonly string[],
  sources: { files?: ReadonlyMap<string, Buffer>; texts?: Record<string, readonly string[]> },
): string[] {
  const found: string[] = [];
  for (const [file, bytes] of sources.files ?? []) {
    for (const needle of needles) if (bytes.includes(needle)) found.push(`file ${file} contains ${needle}`);
  }
  for (const [label, texts] of Object.entries(sources.texts ?? {})) {
    texts.forEach((text, index) => {
      for (const needle of needles)
        if (text.includes(needle)) found.push(`${label}[${index}] contains ${needle}`);
    });
  }
  return found;
}
