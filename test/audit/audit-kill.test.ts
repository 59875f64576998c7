// Issue 13 point 7: an acknowledged audit entry survives kill -9 of the process that wrote it.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AuditLog, auditFile } from "../../src/audit/audit-log.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { auditEntry } from "./support/audit-entries.ts";

const cleanup = useCleanup();
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./support/append-until-killed.ts", import.meta.url));

describe("kill -9 while appending", () => {
  it("keeps every entry whose append was acknowledged, and the log takes the next one", async () => {
    const stateDir = await cleanup.tempDir("audit-kill");
    const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, stateDir, "4"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    cleanup.defer(() => child.kill("SIGKILL"));
    const acknowledged: string[] = [];
    let partial = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.startsWith("ack ")) acknowledged.push(line.slice(4));
      // Killed at once, while the next appends are under way (a poll would give them time to finish).
      if (acknowledged.length >= 500) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = once(child, "exit");

    // Past a few rotations (64 KiB files), then killed in the middle of the stream.
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal, stderr).toBe("SIGKILL");

    const log = new AuditLog({ stateDir, mask: new SecretMask(), keepFiles: 10_000 });
    cleanup.defer(() => log.close());
    const found = new Set((await log.query({ limit: 1_000_000 })).map((entry) => entry.requestId));
    const lost = acknowledged.filter((id) => !found.has(id));
    expect(lost).toEqual([]);
    expect(found.size).toBeGreaterThanOrEqual(acknowledged.length);
    const files = await readdir(path.dirname(auditFile(stateDir)));
    expect(files.length).toBeGreaterThan(2);

    await log.append(auditEntry({ requestId: "after-the-crash" }));
    const [newest] = await log.query({ limit: 1 });
    expect(newest?.requestId).toBe("after-the-crash");
    const text = await readFile(auditFile(stateDir), "utf8");
    expect(text.endsWith('"requestId":"after-the-crash"}\n')).toBe(true);
  });
});
