import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";

/** File endings that may hold DAG modules or the helpers they import. */
const SOURCE_FILE = /(?<!\.d)\.(ts|mts|js|mjs)$/;
export const IGNORE_FILE = ".updraftignore";

/**
 * Every source file under `root` (paths relative to it, `/`-separated, sorted), skipping
 * `node_modules`, dot-folders and dot-files, and whatever `.updraftignore` files (gitignore
 * syntax, any level, each relative to its own folder) exclude.
 */
export async function findSourceFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  await walk(root, "", [], found);
  return found.sort();
}

interface ScopedIgnore {
  base: string;
  rules: Ignore;
}

async function walk(root: string, dir: string, inherited: ScopedIgnore[], found: string[]): Promise<void> {
  const entries = await readdir(path.join(root, dir), { withFileTypes: true });
  const scopes = [...inherited];
  if (entries.some((entry) => entry.isFile() && entry.name === IGNORE_FILE)) {
    const text = await readFile(path.join(root, dir, IGNORE_FILE), "utf8");
    scopes.push({ base: dir, rules: ignore().add(text) });
  }
  const subdirs: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const relative = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!isIgnored(scopes, `${relative}/`)) subdirs.push(relative);
    } else if (entry.isFile() && SOURCE_FILE.test(entry.name) && !isIgnored(scopes, relative)) {
      found.push(relative);
    }
  }
  await Promise.all(subdirs.map((subdir) => walk(root, subdir, scopes, found)));
}

function isIgnored(scopes: readonly ScopedIgnore[], relative: string): boolean {
  return scopes.some(({ base, rules }) => rules.ignores(base ? relative.slice(base.length + 1) : relative));
}
