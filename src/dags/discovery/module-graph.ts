import type { ImportScan } from "./scan-imports.ts";

/**
 * The DAG modules that must be evaluated again when `changed` files (relative paths) changed:
 * those changed themselves and those importing a changed file, directly or through helpers.
 */
export function affectedModules(
  scans: ReadonlyMap<string, ImportScan>,
  changed: ReadonlySet<string>,
): Set<string> {
  const affected = new Set<string>();
  for (const [file, scan] of scans) {
    if (scan.importsUpdraft && reachesChange(scans, file, changed)) affected.add(file);
  }
  return affected;
}

function reachesChange(
  scans: ReadonlyMap<string, ImportScan>,
  start: string,
  changed: ReadonlySet<string>,
): boolean {
  const seen = new Set([start]);
  const pending = [start];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (changed.has(file)) return true;
    for (const candidates of scans.get(file)?.relativeImports ?? []) {
      if (candidates.some((candidate) => changed.has(candidate))) return true;
      const resolved = candidates.find((candidate) => scans.has(candidate));
      if (resolved && !seen.has(resolved)) {
        seen.add(resolved);
        pending.push(resolved);
      }
    }
  }
  return false;
}
