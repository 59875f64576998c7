import { readdir } from "node:fs/promises";

/** The file entries are appended to, in `<stateDir>/audit/`. */
export const CURRENT_FILE = "audit.log";

/** A file rotated out: `audit-2026-05-01T10-00-00.000Z.log`, `-<n>` added for a second one that millisecond. */
export interface RotatedFile {
  name: string;
  /** When it was rotated out (ms): no entry in it is newer, unless the clock went back. */
  at: number;
  sequence: number;
}

const ROTATED = /^audit-(\d{4}-\d\d-\d\dT\d\d)-(\d\d)-(\d\d\.\d{3}Z)(?:-(\d+))?\.log$/;

export function parseRotatedName(name: string): RotatedFile | undefined {
  const match = ROTATED.exec(name);
  if (!match) return undefined;
  const at = Date.parse(`${match[1]}:${match[2]}:${match[3]}`);
  return Number.isNaN(at) ? undefined : { name, at, sequence: Number(match[4] ?? 0) };
}

/** The rotated files of a folder, newest first. */
export async function rotatedFiles(dir: string): Promise<RotatedFile[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  return names
    .map(parseRotatedName)
    .filter((file): file is RotatedFile => file !== undefined)
    .sort((a, b) => b.at - a.at || b.sequence - a.sequence);
}

/**
 * The name for the file rotated out at `now`: after every existing one even when the clock went
 * back, so names keep the order in which the files were written.
 */
export function nextRotatedName(now: number, newest: RotatedFile | undefined): string {
  const stamp = (at: number) => new Date(at).toISOString().replace(/:/g, "-");
  if (!newest || now > newest.at) return `audit-${stamp(now)}.log`;
  return `audit-${stamp(newest.at)}-${newest.sequence + 1}.log`;
}

/** Rotated files (newest first) past `keepFiles` or rotated out more than `retentionMs` before `now`. */
export function expiredFiles(
  files: readonly RotatedFile[],
  policy: { keepFiles: number; retentionMs: number; now: number },
): RotatedFile[] {
  return files.filter(
    (file, index) => index >= policy.keepFiles || file.at < policy.now - policy.retentionMs,
  );
}
