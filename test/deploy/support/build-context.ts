import { execFile } from "node:child_process";
import { cp, mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import ignore from "ignore";

/**
 * What `docker build .` would send: the repository's files (tracked, plus new ones not ignored by
 * git) minus `.dockerignore`, copied to `target`. Returns the relative paths copied.
 */
export async function copyBuildContext(repoRoot: string, target: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
    { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
  );
  const dockerignore = await readFile(path.join(repoRoot, ".dockerignore"), "utf8");
  const excluded = ignore().add(dockerignore);
  const files = stdout
    .split("\0")
    .filter((file) => file !== "" && !excluded.ignores(file))
    .sort();
  for (const file of files) {
    const to = path.join(target, file);
    await mkdir(path.dirname(to), { recursive: true });
    // A tracked file deleted in the work tree is not in the context either.
    await cp(path.join(repoRoot, file), to).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  }
  return files;
}
