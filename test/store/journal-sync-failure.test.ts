// Issue 17 attack on the active state journal: the disk takes a journal line's bytes but its
// fdatasync fails (EIO; NFS reports ENOSPC there too). The change is refused (503, "leaves no
// trace"); when the daemon then restarts before its next write lands (a liveness probe restarts it
// while /healthz is 503), the refused change must not come back from the journal.
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readActiveState } from "../../src/store/active-state-file.ts";
import { appendDurably } from "../../src/store/durable-write.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { oneTaskRun } from "./support/one-task-run.ts";

const cleanup = useCleanup("file");
const at = new Date("2026-03-01T00:00:00Z");

/** Makes the next fdatasync of any file handle fail with `code`, after the data was written. */
async function failNextDatasync(dir: string, code: string): Promise<void> {
  const probe: FileHandle = await open(path.join(dir, ".probe"), "w");
  const prototype = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  vi.spyOn(prototype, "datasync").mockRejectedValueOnce(
    Object.assign(new Error(`${code}: fdatasync failed`), { code }),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("a journal line whose fdatasync fails", () => {
  it("is taken back: a restart before the next write does not bring the refused change back", async () => {
    const dir = await cleanup.tempDir("journal-sync-eio");
    const store = await RunStore.open(dir);
    await store.update((state) => store.addRun(state, oneTaskRun("a", "first", at)));
    await store.update((state) => store.addRun(state, oneTaskRun("a", "second", at)));
    await failNextDatasync(dir, "EIO");
    await expect(
      store.update((state) => store.addRun(state, oneTaskRun("a", "refused", at))),
    ).rejects.toThrow("EIO");
    expect(Object.keys(store.state.runs).sort()).toEqual(["first", "second"]);
    // kill -9 now: what a restart reads.
    expect(Object.keys((await readActiveState(dir)).runs).sort()).toEqual(["first", "second"]);
  });

  it("appendDurably leaves the file as it was when the sync fails", async () => {
    const dir = await cleanup.tempDir("append-sync-enospc");
    const file = path.join(dir, "journal");
    const handle = await open(file, "w");
    await handle.writeFile("line 1\n");
    await handle.close();
    await failNextDatasync(dir, "ENOSPC");
    await expect(appendDurably(file, "line 2\n")).rejects.toThrow("ENOSPC");
    const { readFile } = await import("node:fs/promises");
    expect(await readFile(file, "utf8")).toBe("line 1\n");
    await appendDurably(file, "line 3\n");
    expect(await readFile(file, "utf8")).toBe("line 1\nline 3\n");
  });
});
