import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import type { AuditEntry } from "../../../src/audit/audit-entry.ts";
import { auditLine } from "../../../src/audit/audit-line.ts";

/**
 * Writes `bytes` bytes of audit lines to `file` quickly (1 MiB blocks of `filler`'s line, one
 * second apart per block), after the lines of `first`: a log that grew large over a long time.
 */
export async function writeBigAuditFile(
  file: string,
  bytes: number,
  options: { first: readonly AuditEntry[]; filler: AuditEntry },
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, "w", 0o600);
  try {
    let written = 0;
    for (const entry of options.first) written += (await handle.write(auditLine(entry))).bytesWritten;
    const start = Date.parse(options.filler.at);
    for (let block = 0; written < bytes; block++) {
      const line = auditLine({ ...options.filler, at: new Date(start + block * 1000).toISOString() });
      const text = line.repeat(Math.max(1, Math.floor((1024 * 1024) / line.length)));
      written += (await handle.write(text)).bytesWritten;
    }
  } finally {
    await handle.close();
  }
}
