import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { STATE_FILE_MODE, syncFolder } from "./durable-write.ts";

/** What the lock file says about the daemon holding it. */
export interface LockHolder {
  pid: number;
  host: string;
  since: string;
  /** Tells two takings of the lock apart (a pid can be reused). */
  nonce: string;
  /** "namespace/name" of the Lease it was taken under (leader election), if any. */
  lease?: string;
  identity?: string;
}

/** Another daemon holds the state dir (or did, and cannot be proven gone). */
export class StateDirLockedError extends Error {
  readonly code = "state_dir_locked";
  constructor(
    readonly file: string,
    readonly holder: LockHolder | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

export interface StateDirLockOptions {
  /** Taken under this Lease ("namespace/name"): a lock taken under the same Lease is this leader's to take over. */
  lease?: string | undefined;
  identity?: string | undefined;
  /** Injected in tests; the real one asks the kernel. */
  isAlive?: (pid: number) => boolean;
  host?: string;
}

export const LOCK_FILE = "updraft.lock";
/** Nonces of the locks this process holds: its own pid in a lock file is not proof of life. */
const heldHere = new Set<string>();

/**
 * One daemon per state dir. The lock file is created atomically (link of a complete temp file,
 * which fails if it exists) and names its holder. A lock whose holder is provably gone (same host,
 * pid not running; or taken under the Lease this daemon now leads) is taken over through a marker
 * file named after that lock's nonce, which only one starter can create: two racing starters never
 * both win.
 */
export class StateDirLock {
  readonly #file: string;
  readonly #o: StateDirLockOptions;
  #held: LockHolder | undefined;

  constructor(stateDir: string, options: StateDirLockOptions = {}) {
    this.#file = path.join(stateDir, LOCK_FILE);
    this.#o = options;
  }

  get file(): string {
    return this.#file;
  }

  /** Takes the lock, or throws StateDirLockedError naming the holder. Returns the stale holder replaced, if any. */
  async acquire(): Promise<{ tookOverFrom?: LockHolder }> {
    if (this.#held) return {};
    const mine: LockHolder = {
      pid: process.pid,
      host: this.#o.host ?? os.hostname(),
      since: new Date().toISOString(),
      nonce: randomBytes(12).toString("hex"),
      ...(this.#o.lease ? { lease: this.#o.lease } : {}),
      ...(this.#o.identity ? { identity: this.#o.identity } : {}),
    };
    let holder: LockHolder | undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      if (await this.#create(mine)) return this.#took(mine);
      holder = await this.#read();
      if (!holder) continue; // released meanwhile: try again
      if (!this.#stale(holder)) throw this.#lockedError(holder);
      if (await this.#takeOver(holder, mine)) return this.#took(mine, holder);
      // Another starter is taking it over: see who won.
      await new Promise((resolve) => setTimeout(resolve, 20 * (attempt + 1)));
    }
    throw new StateDirLockedError(
      this.#file,
      holder,
      `the state dir is locked by ${describe(holder)} (${this.#file}), which looks gone, but a takeover of it did not finish (${this.#file}.takeover-${holder?.nonce ?? "?"} exists): if no other updraft uses this state dir, remove both files and start again`,
    );
  }

  /** Removes the lock if this daemon still holds it; safe to call more than once. */
  async release(): Promise<void> {
    const mine = this.#held;
    if (!mine) return;
    this.#held = undefined;
    heldHere.delete(mine.nonce);
    const current = await this.#read().catch(() => undefined);
    if (current?.nonce === mine.nonce) await unlink(this.#file).catch(() => undefined);
  }

  #took(mine: LockHolder, from?: LockHolder): { tookOverFrom?: LockHolder } {
    this.#held = mine;
    heldHere.add(mine.nonce);
    return from ? { tookOverFrom: from } : {};
  }

  #stale(holder: LockHolder): boolean {
    if (this.#o.lease && holder.lease === this.#o.lease) return true;
    if (holder.host !== (this.#o.host ?? os.hostname())) return false;
    if (holder.pid === process.pid) return !heldHere.has(holder.nonce);
    return !(this.#o.isAlive ?? isAlive)(holder.pid);
  }

  /** Writes `mine` completely to a temp file, then links it into place; false if a lock exists. */
  async #create(mine: LockHolder): Promise<boolean> {
    const temp = await this.#tempWith(mine);
    try {
      await link(temp, this.#file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await syncFolder(path.dirname(this.#file));
    return true;
  }

  /**
   * Replaces the stale lock `stale` with `mine`. The marker `<lock>.takeover-<stale nonce>` can be
   * created once: its creator checks the lock still is `stale` and renames `mine` over it. A slower
   * starter that creates the marker after it was removed finds a different nonce and backs off.
   */
  async #takeOver(stale: LockHolder, mine: LockHolder): Promise<boolean> {
    const temp = await this.#tempWith(mine);
    const marker = `${this.#file}.takeover-${stale.nonce}`;
    try {
      try {
        await link(temp, marker);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw error;
      }
      try {
        const current = await this.#read();
        if (current?.nonce !== stale.nonce) return false;
        await rename(temp, this.#file);
        await syncFolder(path.dirname(this.#file));
        return true;
      } finally {
        await unlink(marker).catch(() => undefined);
      }
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async #tempWith(holder: LockHolder): Promise<string> {
    const temp = `${this.#file}.${holder.nonce}.${randomBytes(4).toString("hex")}.tmp`;
    const handle = await open(temp, "wx", STATE_FILE_MODE);
    try {
      await handle.writeFile(`${JSON.stringify(holder)}\n`, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  }

  async #read(): Promise<LockHolder | undefined> {
    let text: string;
    try {
      text = await readFile(this.#file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<LockHolder>;
      if (
        typeof parsed.pid === "number" &&
        typeof parsed.host === "string" &&
        typeof parsed.nonce === "string"
      )
        return { since: "?", ...parsed } as LockHolder;
    } catch {
      // reported below
    }
    throw new StateDirLockedError(
      this.#file,
      undefined,
      `the state dir lock ${this.#file} is unreadable; if no other updraft uses this state dir, remove it and start again`,
    );
  }

  #lockedError(holder: LockHolder): StateDirLockedError {
    const host = this.#o.host ?? os.hostname();
    const fix =
      holder.host === host
        ? `stop that daemon first, or give this one another --state-dir`
        : `it runs on another host, so updraft cannot tell whether it is still alive: stop it, or if it is gone, remove ${this.#file}`;
    return new StateDirLockedError(
      this.#file,
      holder,
      `the state dir is in use by another updraft daemon: ${describe(holder)} holds ${this.#file}; ${fix}`,
    );
  }
}

function describe(holder: LockHolder | undefined): string {
  if (!holder) return "an unknown daemon";
  const who = holder.identity ? ` (${holder.identity})` : "";
  return `pid ${holder.pid} on host ${holder.host}${who}, since ${holder.since}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
