// Issue #16 point 6: a multipart upload holds its parts in memory, so however many large logs end
// at once, the log store uploads one of them at a time (small logs still go beside it).
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.ts";
import type { LogObjects } from "../../src/logs/log-objects.ts";
import { LARGE_LOG_BYTES } from "../../src/logs/log-upload.ts";
import { TaskLogStore } from "../../src/logs/task-log-store.ts";
import { tryLogFile, type TryFileKey } from "../../src/runs/try-files.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

/** An object store that reads each body slowly and records which puts were under way together. */
function slowObjects() {
  const running = new Set<string>();
  const overlaps: Array<[string, string]> = [];
  const stored = new Map<string, number>();
  const objects: LogObjects = {
    name: "fake://bucket",
    async put(key: string, body: Readable) {
      for (const other of running) overlaps.push([other, key]);
      running.add(key);
      let size = 0;
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      running.delete(key);
      stored.set(key, size);
    },
    size: async (key) => stored.get(key),
    read: async () => 0,
  };
  return { objects, overlaps, stored };
}

describe("large log uploads", () => {
  const cleanup = useCleanup("file");

  it("never run two multipart uploads at once, and let a small log go beside one", async () => {
    const logsDir = await cleanup.tempDir("large-uploads");
    const { objects, overlaps, stored } = slowObjects();
    const store = new TaskLogStore({
      logsDir,
      prefix: "",
      objects,
      mask: new SecretMask([]),
      keepLocalMs: undefined,
      tryIsActive: () => false,
      log: createLogger({ secrets: [], level: "silent" }),
      onAttempt: () => {},
      now: () => Date.now(),
    });
    cleanup.defer(() => store.stop());
    const keys: TryFileKey[] = ["big1", "big2", "small"].map((taskId) => ({
      dagId: "d",
      runId: "r",
      taskId,
      try: 1,
    }));
    for (const key of keys) {
      const file = tryLogFile(logsDir, key);
      await mkdir(path.dirname(file), { recursive: true });
      const size = key.taskId === "small" ? 1024 : LARGE_LOG_BYTES + 1024 * 1024;
      await writeFile(file, Buffer.alloc(size, "x"));
    }
    for (const key of keys) store.tryEnded(key);
    await waitFor("all three logs stored", () => (stored.size === 3 ? true : undefined), {
      timeoutMs: 60_000,
    });
    const large = (key: string) => key.includes("big");
    expect(overlaps.filter(([a, b]) => large(a) && large(b))).toEqual([]);
    expect(overlaps.some(([a, b]) => large(a) !== large(b))).toBe(true);
  });
});
