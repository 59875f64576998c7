/**
 * The CLI as one JavaScript file, so that starting `updraft` compiles no TypeScript: src/cli.ts and
 * everything it imports from src/ bundled by esbuild on the first start, then cached under a name
 * made from the content of what is bundled. Packages stay outside the bundle (imported from this
 * install's node_modules by absolute URL), as the source files read at run time (page-client.js,
 * package.json) do. Plain JavaScript: this file runs before anything could compile TypeScript.
 */
import { createHash } from "node:crypto";
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { isBuiltin } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const SRC = path.join(ROOT, "src");
const ENTRY = path.join(SRC, "cli.ts");
const SELF = fileURLToPath(import.meta.url);
/**
 * Bundle folders of other sources (an edit, an upgrade) not used for this long are removed when one
 * is built. A start marks its folder used, and so does a running daemon each time it starts a loader.
 */
const PRUNE_AFTER_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * The CLI module (`main`): the cached bundle, built first if there is none for these sources. If
 * it cannot be built or linked (no private temp folder, a package moved), the TypeScript sources
 * run through tsx instead, with a note on stderr, so the command still works.
 */
export async function loadCli() {
  let file;
  try {
    file = await cliBundle();
  } catch (error) {
    return viaTsx(`the CLI bundle could not be built: ${messageOf(error)}`);
  }
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    // Only a failure to link falls back: nothing of the bundle has run yet.
    if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
    return viaTsx(`the CLI bundle ${file} could not be loaded: ${messageOf(error)}`);
  }
}

/** Path of the bundle for the current sources, built if missing: `<tmp>/updraft-<uid>/cli-<key>/cli.mjs`. */
export async function cliBundle() {
  const dir = privateTempDir();
  const folder = path.join(dir, `cli-${sourceKey()}`);
  const file = path.join(folder, "cli.mjs");
  if (isPrivateFile(file)) {
    markUsed(folder);
    return file;
  }
  const { code, map } = await bundle(file);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  writeWhole(`${file}.map`, map);
  writeWhole(file, code);
  pruneOldBundles(dir, folder);
  return file;
}

/**
 * Written under a unique name, then renamed: a CLI starting at that moment never reads half a file.
 * A write that fails (a full disk) takes its partial file with it, or every start would add one.
 */
function writeWhole(file, contents) {
  const partial = `${file}.${process.pid}.${Date.now()}`;
  try {
    writeFileSync(partial, contents, { mode: 0o600 });
    renameSync(partial, file);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}

/**
 * Names the bundle by everything that decides its content, so a cached bundle is never older than
 * the code: every file under src/ (contents, not mtimes: a checkout or a copy can keep a date), this
 * file (the build options), package.json, where the install is (packages are imported by absolute
 * path) and npm's record of the installed packages. About 2-4 ms for src/'s half megabyte.
 */
export function sourceKey() {
  const hash = createHash("sha256");
  hash.update(`${ROOT}\0${process.version}\0`);
  for (const file of [SELF, path.join(ROOT, "package.json")]) hash.update(readFileSync(file)).update("\0");
  const installed = statOrNull(path.join(ROOT, "node_modules", ".package-lock.json"));
  hash.update(installed ? `${installed.size}:${installed.mtimeMs}\0` : "no-lock\0");
  for (const file of sourceFiles()) hash.update(`${path.relative(SRC, file)}\0`).update(readFileSync(file));
  return hash.digest("hex").slice(0, 24);
}

function sourceFiles() {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

async function bundle(file) {
  const { build } = await import("esbuild");
  const { outputFiles } = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    logLevel: "silent",
    outfile: file,
    // Not read unless Node runs with --enable-source-maps (stack traces then name src/ lines): at
    // every start, it would cost reading this map and every package's.
    sourcemap: "linked",
    sourcesContent: false,
    // Tells src/dags/loader/loader-runtime.ts where to keep the DAG loader runtime built from the
    // same sources, so that only the first start builds it.
    define: { __UPDRAFT_CLI_BUNDLE__: JSON.stringify(path.basename(path.dirname(file))) },
    plugins: [packagesFromThisInstall, ownFileLocations],
  });
  const code = outputFiles?.find((output) => output.path === file)?.contents;
  const map = outputFiles?.find((output) => output.path === `${file}.map`)?.contents;
  if (!code || !map) throw new Error("esbuild produced no output for src/cli.ts");
  return { code, map };
}

/**
 * The bundle lives in a temp folder, where `import "pino"` would find no node_modules: each package
 * import becomes the file URL Node itself resolves it to from this install (import conditions
 * included), and is loaded from there at run time.
 */
const packagesFromThisInstall = {
  name: "packages-from-this-install",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (isBuiltin(args.path)) return { external: true };
      const url = import.meta.resolve(args.path);
      // The package's own name (exports of the SDK) points back into src/: bundle that.
      if (url.startsWith(pathToFileURL(SRC).href)) return { path: fileURLToPath(url) };
      return { path: url, external: true };
    });
  },
};

/**
 * Source files that find files next to them (`new URL("./page-client.js", import.meta.url)`) keep
 * finding them: in each file, `import.meta.url` becomes that source file's own URL, not the bundle's.
 * `import.meta.resolve(specifier)` would resolve from the bundle's folder, where no package is: the
 * build stops (and the CLI runs through tsx, saying why) rather than ship that.
 */
const ownFileLocations = {
  name: "own-file-locations",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const oneArgument = /\bimport\.meta\.resolve\(\s*[^,()]+\)/.exec(source);
      if (oneArgument)
        return {
          errors: [
            {
              text: `${path.relative(ROOT, args.path)}: ${oneArgument[0]} would resolve from the CLI bundle's folder; use createRequire(import.meta.url).resolve or give the parent URL`,
            },
          ],
        };
      const contents = source
        .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(args.path).href))
        .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
        .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(path.dirname(args.path)));
      return { contents, loader: "ts" };
    });
  },
};

/**
 * `<tmp>/updraft-<uid>`, made 0700 and checked to be ours and private, by the same rules as the DAG
 * loader's runtime (src/dags/loader/loader-runtime.ts), which shares the folder: on a shared temp dir
 * no other user can have claimed the name first and swap the file the CLI runs.
 */
function privateTempDir() {
  const uid = process.getuid?.() ?? 0;
  const dir = path.join(os.tmpdir(), `updraft-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const info = lstatSync(dir);
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o077) !== 0)
    throw new Error(
      `${dir} is not a private folder of this user (uid ${uid}): remove it or set TMPDIR to a private folder`,
    );
  return dir;
}

/** A regular file of this user that nobody else can write (else it is built again). */
function isPrivateFile(file) {
  const info = statOrNull(file);
  const uid = process.getuid?.() ?? 0;
  return info !== null && info.isFile() && info.uid === uid && (info.mode & 0o022) === 0;
}

function pruneOldBundles(dir, keep) {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const folder = path.join(dir, name);
    if (!name.startsWith("cli-") || folder === keep) continue;
    const info = statOrNull(folder);
    if (info && now - info.mtimeMs > PRUNE_AFTER_MS) rmSync(folder, { recursive: true, force: true });
  }
}

function markUsed(folder) {
  const now = new Date();
  try {
    utimesSync(folder, now, now);
  } catch {
    // Only an age for pruning: a folder we cannot touch is pruned a little early at worst.
  }
}

function statOrNull(file) {
  try {
    return lstatSync(file);
  } catch {
    return null;
  }
}

async function viaTsx(reason) {
  process.stderr.write(`updraft: ${reason}; running the TypeScript sources through tsx instead\n`);
  const { register } = await import("tsx/esm/api");
  register();
  return import("../src/cli.ts");
}

function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}
