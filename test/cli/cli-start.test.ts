/**
 * How `bin/updraft.mjs` starts the CLI: from a JavaScript bundle of src/ (no TypeScript compiled at
 * start-up), cached by the content of the sources, in a folder only this user can write.
 */
import { chmod, cp, mkdir, readdir, readFile, rm, stat, symlink, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, test } from "vitest";
import { Cleanup } from "../support/cleanup.ts";
import { simpleDag } from "../dags/support/dag-folder.ts";
import { runBin } from "./support/run-bin.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PROBE = fileURLToPath(new URL("./support/module-probe.mjs", import.meta.url));
const UID = process.getuid?.() ?? 0;

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A fresh TMPDIR for the CLI (where its bundle is cached), and the private folder inside it. */
async function freshTmp(): Promise<{ tmp: string; mine: string }> {
  const tmp = await cleanup.tempDir("cli-tmp");
  return { tmp, mine: path.join(tmp, `updraft-${UID}`) };
}

/** A copy of the CLI's files (bin, src, package.json) using this checkout's node_modules. */
async function copyProject(): Promise<string> {
  const project = await cleanup.tempDir("cli-project");
  for (const part of ["bin", "src", "package.json"])
    await cp(path.join(REPO_ROOT, part), path.join(project, part), { recursive: true });
  await symlink(path.join(REPO_ROOT, "node_modules"), path.join(project, "node_modules"));
  return project;
}

async function bundleFolders(mine: string): Promise<string[]> {
  return (await readdir(mine).catch(() => [])).filter((name) => name.startsWith("cli-")).sort();
}

/** Runs the CLI with the module probe; returns the result and every module URL Node loaded. */
async function probed(args: string[], tmp: string) {
  const log = path.join(tmp, `modules-${Date.now()}-${Math.random()}.log`);
  const result = await runBin(args, {
    nodeFlags: ["--import", PROBE],
    env: { TMPDIR: tmp, MODULE_PROBE_LOG: log },
  });
  const modules = (await readFile(log, "utf8").catch(() => "")).split("\n").filter(Boolean);
  return { result, modules };
}

const typescript = (modules: string[]) => modules.filter((url) => /\.[cm]?tsx?$/.test(url));
const fromPackage = (name: string) => (modules: string[]) =>
  modules.filter((url) => url.includes(`/node_modules/${name}/`));

describe("bin/updraft.mjs", () => {
  test("loads no TypeScript module and not tsx; the second start runs the cached bundle as it is", async () => {
    const { tmp, mine } = await freshTmp();
    const first = await probed(["help"], tmp);
    expect(first.result.stderr).toBe("");
    expect(first.result.stdout).toMatch(/^Usage:/);
    expect(first.modules.length).toBeGreaterThan(0);
    expect(typescript(first.modules)).toEqual([]);
    expect(fromPackage("tsx")(first.modules)).toEqual([]);
    const [folder] = await bundleFolders(mine);
    if (!folder) throw new Error(`no bundle folder in ${mine}`);
    const bundle = path.join(mine, folder, "cli.mjs");
    expect(first.modules).toContain(pathToFileURL(bundle).href);
    // Its source map (read with --enable-source-maps) points at the sources where they are.
    const map = JSON.parse(await readFile(`${bundle}.map`, "utf8")) as { sources: string[] };
    const sources = map.sources.map((source) => path.resolve(path.dirname(bundle), source));
    expect(sources).toContain(path.join(REPO_ROOT, "src", "cli.ts"));
    expect((await readFile(bundle, "utf8")).trimEnd().split("\n").at(-1)).toBe(
      "//# sourceMappingURL=cli.mjs.map",
    );
    const built = await stat(bundle);

    const cached = await probed(["help"], tmp);
    expect(cached.result.stdout).toMatch(/^Usage:/);
    expect(typescript(cached.modules)).toEqual([]);
    expect(fromPackage("tsx")(cached.modules)).toEqual([]);
    expect(cached.modules).toContain(pathToFileURL(bundle).href);
    expect(await bundleFolders(mine)).toEqual([folder]);
    const reused = await stat(bundle);
    expect([reused.ino, reused.mtimeMs]).toEqual([built.ino, built.mtimeMs]);
  });

  test("`updraft check` loads DAGs without loading TypeScript modules, tsx or the Kubernetes client in the CLI process", async () => {
    const { tmp } = await freshTmp();
    const dags = await cleanup.tempDir("cli-dags");
    await writeFile(path.join(dags, "orders.ts"), simpleDag("orders"));
    const { result, modules } = await probed(["check", dags], tmp);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("orders");
    expect(typescript(modules)).toEqual([]);
    expect(fromPackage("tsx")(modules)).toEqual([]);
    // Half a second of module loading that only a daemon talking to a cluster needs.
    expect(fromPackage("@kubernetes/client-node")(modules)).toEqual([]);
  });

  test("the DAG loader runtime is built once next to the bundle, private, and reused by the next start", async () => {
    const { tmp, mine } = await freshTmp();
    const dags = await cleanup.tempDir("cli-dags");
    await writeFile(path.join(dags, "orders.ts"), simpleDag("orders"));
    const first = await runBin(["check", dags], { env: { TMPDIR: tmp } });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const [folder] = await bundleFolders(mine);
    if (!folder) throw new Error(`no bundle folder in ${mine}`);
    const runtime = path.join(mine, folder, "loader-runtime.mjs");
    const built = await stat(runtime);
    expect(built.mode & 0o077).toBe(0);
    expect(built.uid).toBe(UID);

    const second = await runBin(["check", dags], { env: { TMPDIR: tmp } });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const reused = await stat(runtime);
    expect([reused.ino, reused.mtimeMs]).toEqual([built.ino, built.mtimeMs]);

    // One that others could have written is not run: it is built again.
    await writeFile(runtime, 'process.stderr.write("PLANTED\\n");\n');
    await chmod(runtime, 0o666);
    const third = await runBin(["check", dags], { env: { TMPDIR: tmp } });
    expect(third.stderr).not.toContain("PLANTED");
    expect(third.stdout).toBe(first.stdout);
    expect((await stat(runtime)).mode & 0o077).toBe(0);
  });

  test("an edited source file is never served from an older bundle, even at the same size and mtime", async () => {
    const { tmp, mine } = await freshTmp();
    const project = await copyProject();
    const bin = path.join(project, "bin", "updraft.mjs");
    const env = { TMPDIR: tmp };

    // A whole-second date, so that setting it again gives exactly the same mtime.
    const cli = path.join(project, "src", "config", "help-text.ts");
    const date = new Date("2026-01-01T00:00:00Z");
    await utimes(cli, date, date);
    const before = await runBin(["help"], { bin, env });
    expect(before.stdout).toMatch(/^Usage:/);
    expect(await bundleFolders(mine)).toHaveLength(1);

    const { mtimeMs, size } = await stat(cli);
    const source = await readFile(cli, "utf8");
    expect(source).toContain("return `Usage:");
    await writeFile(cli, source.replace("return `Usage:", "return `USAGE:"));
    await utimes(cli, date, date);
    expect((await stat(cli)).size).toBe(size);
    expect((await stat(cli)).mtimeMs).toBe(mtimeMs);

    const after = await runBin(["help"], { bin, env });
    expect(after.stderr).toBe("");
    expect(after.stdout).toMatch(/^USAGE:/);
    expect(await bundleFolders(mine)).toHaveLength(2);
  });

  test("a source resolving a package with import.meta.resolve stops the bundle, not the command", async () => {
    const { tmp, mine } = await freshTmp();
    const project = await copyProject();
    await writeFile(
      path.join(project, "src", "cli.ts"),
      `${await readFile(path.join(project, "src", "cli.ts"), "utf8")}\nexport const ZOD = import.meta.resolve("zod");\n`,
    );
    const result = await runBin(["help"], {
      bin: path.join(project, "bin", "updraft.mjs"),
      env: { TMPDIR: tmp },
    });
    expect(result.stderr).toContain(
      'src/cli.ts: import.meta.resolve("zod") would resolve from the CLI bundle',
    );
    expect(result.stderr).toContain("running the TypeScript sources through tsx");
    expect(result.stdout).toMatch(/^Usage:/);
    expect(await bundleFolders(mine)).toEqual([]);
  });

  test("a bundle that cannot be written leaves no partial file behind, and the command still runs", async () => {
    const { tmp, mine } = await freshTmp();
    const env = { TMPDIR: tmp };
    expect((await runBin(["help"], { env })).stderr).toBe("");
    const [folder] = await bundleFolders(mine);
    if (!folder) throw new Error(`no bundle folder in ${mine}`);
    // cli.mjs as a folder that is not empty: the rename of the written bundle fails (as a write
    // on a full disk would).
    const bundle = path.join(mine, folder, "cli.mjs");
    await rm(bundle);
    await mkdir(bundle);
    await writeFile(path.join(bundle, "in-the-way"), "");
    for (let start = 0; start < 2; start++) {
      const failed = await runBin(["help"], { env });
      expect(failed.stderr).toContain("the CLI bundle could not be built");
      expect(failed.stdout).toMatch(/^Usage:/);
    }
    expect((await readdir(path.join(mine, folder))).sort()).toEqual(["cli.mjs", "cli.mjs.map"]);
  });

  test("a DAG loader runtime that cannot be written leaves no partial file behind", async () => {
    const { tmp, mine } = await freshTmp();
    const env = { TMPDIR: tmp };
    const dags = await cleanup.tempDir("cli-dags");
    await writeFile(path.join(dags, "orders.ts"), simpleDag("orders"));
    expect((await runBin(["check", dags], { env })).code).toBe(0);
    const [folder] = await bundleFolders(mine);
    if (!folder) throw new Error(`no bundle folder in ${mine}`);
    // loader-runtime.mjs as a folder that is not empty: the rename of the written runtime fails.
    const runtime = path.join(mine, folder, "loader-runtime.mjs");
    await rm(runtime);
    await mkdir(runtime);
    await writeFile(path.join(runtime, "in-the-way"), "");
    expect((await runBin(["check", dags], { env })).code).not.toBe(0);
    expect((await readdir(path.join(mine, folder))).sort()).toEqual([
      "cli.mjs",
      "cli.mjs.map",
      "loader-runtime.mjs",
    ]);
  });

  test("the bundle is private to this user: a folder others can write is refused, a file others can write is rebuilt", async () => {
    const { tmp, mine } = await freshTmp();
    const env = { TMPDIR: tmp };
    await mkdir(mine, { mode: 0o777 });
    await chmod(mine, 0o777);
    const refused = await runBin(["help"], { env });
    expect(refused.stderr).toContain(`${mine} is not a private folder of this user`);
    expect(refused.stderr).toContain("running the TypeScript sources through tsx");
    expect(refused.stdout).toMatch(/^Usage:/);
    expect(await bundleFolders(mine)).toEqual([]);

    await chmod(mine, 0o700);
    const built = await runBin(["help"], { env });
    expect(built.stderr).toBe("");
    const [folder] = await bundleFolders(mine);
    if (!folder) throw new Error(`no bundle folder in ${mine}`);
    const file = path.join(mine, folder, "cli.mjs");
    expect((await stat(path.join(mine, folder))).mode & 0o777).toBe(0o700);
    expect((await stat(file)).mode & 0o077).toBe(0);
    expect((await stat(file)).uid).toBe(UID);

    await writeFile(file, 'export async function main() { process.stdout.write("PLANTED\\n"); return 0; }\n');
    await chmod(file, 0o666);
    const rebuilt = await runBin(["help"], { env });
    expect(rebuilt.stdout).not.toContain("PLANTED");
    expect(rebuilt.stdout).toMatch(/^Usage:/);
    expect((await stat(file)).mode & 0o077).toBe(0);
  });
});
