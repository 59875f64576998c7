import { existsSync, rmSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ENTRY = fileURLToPath(new URL("./loader-process.ts", import.meta.url));

let built: Promise<string> | undefined;

/**
 * The script loader processes run: loader-process.ts with the SDK, validation and their packages
 * in one JavaScript file, so that a loader process is plain `node` (no TypeScript compiler, one
 * file to read). Built once per daemon process into a private folder under the system temp dir,
 * removed when the process exits.
 */
export async function loaderRuntime(): Promise<string> {
  const earlier = await built?.catch(() => undefined);
  // Built before, but the temp dir may have been cleaned since.
  if (earlier && existsSync(earlier)) return earlier;
  built = buildRuntime();
  return built;
}

async function buildRuntime(): Promise<string> {
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
  // A private folder (mkdtemp: mode 0700, a name nobody can claim first) per daemon process, so no
  // other user of a shared temp dir can swap the file the loader processes run. Removed on exit.
  const folder = await mkdtemp(path.join(os.tmpdir(), "updraft-loader-"));
  process.once("exit", () => rmSync(folder, { recursive: true, force: true }));
  const file = path.join(folder, "loader-runtime.mjs");
  await writeFile(file, code, { mode: 0o600 });
  return file;
}
