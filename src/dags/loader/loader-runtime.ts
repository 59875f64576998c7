import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, mkdir, rename, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "./esbuild-service.ts";

const ENTRY = fileURLToPath(new URL("./loader-process.ts", import.meta.url));

/**
 * Defined by bin/cli-bundle.mjs in the CLI bundle: the name of the bundle's folder in the private
 * temp folder (`cli-<key of src/ and the installed packages>`). The bundle runs only while those are
 * unchanged, and they are all the runtime is built from, so a runtime kept in that folder by an
 * earlier start is current. Not defined under tsx or vitest: the runtime is then built per process.
 */
declare const __UPDRAFT_CLI_BUNDLE__: string | undefined;
const CLI_BUNDLE = typeof __UPDRAFT_CLI_BUNDLE__ === "string" ? __UPDRAFT_CLI_BUNDLE__ : undefined;

let built: Promise<string> | undefined;

/**
 * The script loader processes run: loader-process.ts with the SDK, validation and their packages
 * in one JavaScript file, so that a loader process is plain `node` (no TypeScript compiler, one
 * file to read). Built once per daemon process into a folder named by its content under a private
 * per-user folder of the system temp dir (see privateTempDir); started from the CLI bundle, built
 * once per bundle and kept next to it.
 */
export async function loaderRuntime(): Promise<string> {
  const earlier = await built?.catch(() => undefined);
  // Built before, but the temp dir may have been cleaned since.
  if (earlier && existsSync(earlier)) {
    // Marks the folder as in use: the CLI prunes bundle folders by how long ago they were last used,
    // and a daemon that runs for weeks must not lose the runtime its loaders start from.
    const now = new Date();
    await utimes(path.dirname(earlier), now, now).catch(() => undefined);
    return earlier;
  }
  built = buildRuntime();
  return built;
}

async function buildRuntime(): Promise<string> {
  const dir = await privateTempDir();
  const kept = CLI_BUNDLE && path.join(dir, CLI_BUNDLE, "loader-runtime.mjs");
  if (kept && (await isPrivateFile(kept))) return kept;
  const { outputFiles } = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "silent",
    outfile: "loader-runtime.mjs",
  });
  const code = outputFiles?.[0]?.contents;
  if (!code) throw new Error("building the DAG loader runtime produced no output");
  const hash = createHash("sha1").update(code).digest("hex").slice(0, 16);
  const file = kept || path.join(dir, `loader-${hash}`, "loader-runtime.mjs");
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written under a unique name, then renamed: a daemon starting at the same moment never runs a
  // half-written file. A write that fails (a full disk) takes its partial file with it. The name is
  // random, not pid + time: two builds in one process (module copies under a test runner) can end
  // in the same millisecond, and the second rename then found its file already moved (ENOENT).
  const partial = `${file}.${process.pid}.${randomBytes(6).toString("hex")}`;
  try {
    await writeFile(partial, code, { mode: 0o600 });
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return file;
}

/** The loader runtime's folder is not safe to run code from; the CLI prints it without a stack. */
export class PrivateFolderError extends Error {
  readonly code = "private_folder";
}

/**
 * `<tmp>/updraft-<uid>`, made 0700 and checked to be ours and private: on a shared temp dir no other
 * user can have claimed the name first and swap the file loader processes run. Daemons of the same
 * user and version share one runtime file, so nothing accumulates.
 */
async function privateTempDir(): Promise<string> {
  const uid = process.getuid?.() ?? 0;
  const dir = path.join(os.tmpdir(), `updraft-${uid}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0)
    throw new PrivateFolderError(
      `${dir} is not a private folder of this user (uid ${uid}): remove it or set TMPDIR to a private folder`,
    );
  return dir;
}

/** A regular file of this user that nobody else can write (else it is built again). */
async function isPrivateFile(file: string): Promise<boolean> {
  const info = await lstat(file).catch(() => undefined);
  return !!info && info.isFile() && info.uid === (process.getuid?.() ?? 0) && (info.mode & 0o022) === 0;
}
