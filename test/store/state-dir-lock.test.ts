// The state dir lock on its own: stale takeover without two winners, other hosts, the Lease rule.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  LOCK_FILE,
  type LockHolder,
  StateDirLock,
  StateDirLockedError,
} from "../../src/store/state-dir-lock.ts";
import { useCleanup } from "../support/use-cleanup.ts";

/** A pid that was a real process on this host and no longer is. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}

describe("StateDirLock", () => {
  const cleanup = useCleanup();

  const writeLock = (dir: string, holder: LockHolder) =>
    writeFile(path.join(dir, LOCK_FILE), JSON.stringify(holder));

  it("of many starters racing for a stale lock (same host, pid gone), exactly one wins", async () => {
    const dir = await cleanup.tempDir("lock-race");
    const host = "this-host";
    await writeLock(dir, { pid: await deadPid(), host, since: "2026-01-01T00:00:00.000Z", nonce: "stale" });
    const locks = Array.from({ length: 12 }, () => new StateDirLock(dir, { host }));
    const outcomes = await Promise.allSettled(locks.map((lock) => lock.acquire()));
    const won = outcomes.filter((o) => o.status === "fulfilled");
    expect(won.length, JSON.stringify(outcomes)).toBe(1);
    for (const lost of outcomes.filter((o) => o.status === "rejected"))
      expect((lost as PromiseRejectedResult).reason).toBeInstanceOf(StateDirLockedError);
    const holder = JSON.parse(await readFile(path.join(dir, LOCK_FILE), "utf8")) as LockHolder;
    expect(holder.pid).toBe(process.pid);
    expect((won[0] as PromiseFulfilledResult<{ tookOverFrom?: LockHolder }>).value.tookOverFrom?.nonce).toBe(
      "stale",
    );
    // No temp or marker files left behind.
    expect(await readdir(dir)).toEqual([LOCK_FILE]);
    for (const lock of locks) await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("refuses a lock of a live daemon, and one from another host, naming the holder and the fix", async () => {
    const dir = await cleanup.tempDir("lock-held");
    const first = new StateDirLock(dir);
    await first.acquire();
    const second = new StateDirLock(dir);
    await expect(second.acquire()).rejects.toThrow(
      new RegExp(`pid ${process.pid} on host .*, since \\d{4}-.*stop that daemon first`),
    );
    await first.release();

    await writeLock(dir, {
      pid: await deadPid(),
      host: "elsewhere",
      since: "2026-01-01T00:00:00.000Z",
      nonce: "n",
    });
    await expect(new StateDirLock(dir).acquire()).rejects.toThrow(
      /pid \d+ on host elsewhere, since 2026-01-01T00:00:00.000Z.*another host.*remove/,
    );
  });

  it("a leader takes over a lock taken under the same Lease, from any host; not one taken without it", async () => {
    const dir = await cleanup.tempDir("lock-lease");
    const lease = "default/updraft-leader";
    await writeLock(dir, { pid: 1, host: "pod-a", since: "2026-01-01T00:00:00.000Z", nonce: "a", lease });
    const leader = new StateDirLock(dir, { lease, identity: "pod-b" });
    expect((await leader.acquire()).tookOverFrom?.host).toBe("pod-a");
    await leader.release();

    await writeLock(dir, { pid: 1, host: "pod-a", since: "2026-01-01T00:00:00.000Z", nonce: "b" });
    await expect(new StateDirLock(dir, { lease, identity: "pod-b" }).acquire()).rejects.toThrow(
      StateDirLockedError,
    );
  });

  it("release leaves a lock someone else holds alone", async () => {
    const dir = await cleanup.tempDir("lock-release");
    const lease = "default/updraft-leader";
    const old = new StateDirLock(dir, { lease, host: "pod-a" });
    await old.acquire();
    await new StateDirLock(dir, { lease, host: "pod-b" }).acquire();
    await old.release();
    const holder = JSON.parse(await readFile(path.join(dir, LOCK_FILE), "utf8")) as LockHolder;
    expect(holder.host).toBe("pod-b");
  });
});
