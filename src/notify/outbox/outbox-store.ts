import { mkdir, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { STATE_DIR_MODE, type StateWriter, syncFolder } from "../../store/durable-write.ts";
import {
  type DigestRecord,
  isLaterVersion,
  type MessageRecord,
  parseDigest,
  parseMessage,
} from "./outbox-records.ts";

/** Files the store keeps beside the messages; anything else it does not know is set aside. */
export const DELIVERED_FILE = "delivered.log";
export const UNDELIVERABLE_FILE = "undeliverable.json";
export const CORRUPT_DIR = "corrupt";
/** A message or digest file is small (20 log lines); a bigger one is not ours and is not read. */
const MAX_RECORD_BYTES = 1024 * 1024;

export type ScannedFile =
  | { kind: "message"; record: MessageRecord }
  | { kind: "digest"; record: DigestRecord }
  | { kind: "corrupt"; name: string }
  | { kind: "later"; name: string };

/** The outbox folder: one file per message (`m-<key>.json`) and per digest (`d-<id>.json`). */
export class OutboxStore {
  constructor(
    readonly dir: string,
    readonly writer: StateWriter,
  ) {}

  messageFile(key: string): string {
    return path.join(this.dir, `m-${key}.json`);
  }

  /** Durable once this resolves; a failed write leaves no file (the writer's temp file is removed). */
  writeMessage(record: MessageRecord): Promise<void> {
    return this.writer.write(this.messageFile(record.key), JSON.stringify(record));
  }

  writeDigest(record: DigestRecord): Promise<void> {
    return this.writer.write(path.join(this.dir, `d-${record.id}.json`), JSON.stringify(record));
  }

  async hasMessage(key: string): Promise<boolean> {
    return stat(this.messageFile(key)).then(
      () => true,
      () => false,
    );
  }

  async readMessage(key: string): Promise<MessageRecord | undefined> {
    // Gone (removed by hand) reads as undefined; any other error (EIO, EMFILE) is thrown, to be tried again.
    const text = await readFile(this.messageFile(key), "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    return text === undefined ? undefined : parseMessage(text, key);
  }

  /** Removes messages (and their digest) and makes the removal durable. */
  async remove(keys: readonly string[], digest?: string): Promise<void> {
    for (const key of keys) await unlinkIfThere(this.messageFile(key));
    if (digest) await unlinkIfThere(path.join(this.dir, `d-${digest}.json`));
    await syncFolder(this.dir);
  }

  /** Every file in the folder, read one at a time: records, or names of files that are not whole records. */
  async *scan(): AsyncGenerator<ScannedFile> {
    for (const name of (await readdir(this.dir)).sort()) {
      if (name === DELIVERED_FILE || name === UNDELIVERABLE_FILE || name === CORRUPT_DIR) continue;
      const message = /^m-([0-9a-f]{40})\.json$/.exec(name);
      const digest = /^d-(digest-[0-9a-f]{32})\.json$/.exec(name);
      const text = message || digest ? await this.#readSmall(name) : undefined;
      const record =
        text === undefined
          ? undefined
          : message?.[1]
            ? parseMessage(text, message[1])
            : parseDigest(text, digest?.[1] ?? "");
      if (!record && text !== undefined && isLaterVersion(text)) yield { kind: "later", name };
      else if (!record) yield { kind: "corrupt", name };
      else if ("members" in record) yield { kind: "digest", record };
      else yield { kind: "message", record };
    }
  }

  /** Moves a file the outbox cannot read into `corrupt/`, for a person to look at; never read again. */
  async setAside(name: string): Promise<void> {
    const corrupt = path.join(this.dir, CORRUPT_DIR);
    await mkdir(corrupt, { recursive: true, mode: STATE_DIR_MODE });
    await rename(path.join(this.dir, name), path.join(corrupt, `${name}.${Date.now()}`));
  }

  /** Keeps the newest `keep` files in `corrupt/`, so a disk that keeps producing garbage cannot fill up. */
  async pruneSetAside(keep = 100): Promise<void> {
    const corrupt = path.join(this.dir, CORRUPT_DIR);
    const names = await readdir(corrupt).catch(() => []);
    if (names.length <= keep) return;
    const dated = await Promise.all(
      names.map(async (name) => ({
        name,
        at: (await stat(path.join(corrupt, name)).catch(() => undefined))?.mtimeMs ?? 0,
      })),
    );
    dated.sort((a, b) => b.at - a.at);
    for (const { name } of dated.slice(keep)) await unlinkIfThere(path.join(corrupt, name));
  }

  async #readSmall(name: string): Promise<string | undefined> {
    const file = path.join(this.dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile() || info.size > MAX_RECORD_BYTES) return undefined;
    return readFile(file, "utf8").catch(() => undefined);
  }
}

async function unlinkIfThere(file: string): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}
