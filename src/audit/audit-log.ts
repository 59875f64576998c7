import { type FileHandle, open } from "node:fs/promises";
import path from "node:path";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { AuditEntry, AuditQuery, AuditReader, AuditSink } from "./audit-entry.ts";
import { AuditFileWriter } from "./audit-file-writer.ts";
import { auditFilter } from "./audit-filter.ts";
import { auditLine, MAX_AUDIT_LINE_BYTES, parseAuditLine } from "./audit-line.ts";
import { linesBackward } from "./lines-backward.ts";
import { CURRENT_FILE, rotatedFiles } from "./rotated-files.ts";

export const DEFAULT_AUDIT_MAX_BYTES = 10 * 1024 * 1024;
export const DEFAULT_AUDIT_KEEP_FILES = 10;
export const DEFAULT_AUDIT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

/** Bytes read at a time when the log is read backwards. */
const READ_CHUNK_BYTES = 64 * 1024;
/** At most this much is written (and fsynced) at once when many entries wait. */
const MAX_BATCH_BYTES = 1024 * 1024;

export interface AuditLogOptions {
  /** The state dir: the log lives in `<stateDir>/audit/`. */
  stateDir: string;
  /** Every entry is masked with it before it is written. */
  mask: SecretMask;
  /** The current file is rotated out before it would pass this size. */
  maxBytes?: number | undefined;
  /** At most this many rotated files are kept (0: none). */
  keepFiles?: number | undefined;
  /** Rotated files older than this are deleted (Infinity: never). */
  retentionMs?: number | undefined;
  now?: (() => Date) | undefined;
  /** Told about a cleanup that failed without costing an entry (a rotated file that could not be deleted). */
  onWarning?: ((message: string, error: unknown) => void) | undefined;
}

/** `<stateDir>/audit/audit.log`. */
export function auditFile(stateDir: string): string {
  return path.join(stateDir, "audit", CURRENT_FILE);
}

interface Waiting {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The audit trail as append-only JSON lines in the state dir. `append` resolves once its line is
 * fsynced; entries arriving while a write is under way go to disk together in the next one (one
 * fsync for all). Reads go backwards from the newest file in fixed chunks: memory stays bounded
 * whatever the size of the log.
 */
export class AuditLog implements AuditSink, AuditReader {
  readonly #dir: string;
  readonly #mask: SecretMask;
  readonly #writer: AuditFileWriter;
  #waiting: Waiting[] = [];
  #draining = false;
  /** Serialises writes, rotation and the start of a read (which files exist, how long the current one is). */
  #lock: Promise<unknown> = Promise.resolve();

  constructor(options: AuditLogOptions) {
    this.#dir = path.dirname(auditFile(options.stateDir));
    this.#mask = options.mask;
    this.#writer = new AuditFileWriter(
      this.#dir,
      {
        maxBytes: options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES,
        keepFiles: options.keepFiles ?? DEFAULT_AUDIT_KEEP_FILES,
        retentionMs: options.retentionMs ?? DEFAULT_AUDIT_RETENTION_MS,
        now: options.now ?? (() => new Date()),
      },
      options.onWarning ?? (() => undefined),
    );
  }

  append(entry: AuditEntry): Promise<void> {
    let line: string;
    try {
      line = auditLine(this.#mask.maskDeep(entry));
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ line, resolve, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async query(query: AuditQuery): Promise<AuditEntry[]> {
    const filter = auditFilter(query);
    const found: AuditEntry[] = [];
    if (query.limit < 1) return found;
    for await (const line of this.#lines()) {
      if (!filter.mayMatch(line)) continue;
      const entry = parseAuditLine(line);
      if (entry && filter.matches(entry)) found.push(entry);
      if (found.length >= query.limit) break;
    }
    return found;
  }

  /** Every entry, newest first, read lazily (stop early with `break`). */
  async *entries(): AsyncGenerator<AuditEntry> {
    for await (const line of this.#lines()) {
      const entry = parseAuditLine(line);
      if (entry) yield entry;
    }
  }

  /** Waits for the writes under way, then closes the file (a later append opens it again). */
  async close(): Promise<void> {
    await this.#locked(() => this.#writer.close());
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      while (this.#waiting.length > 0) {
        const batch = this.#takeBatch();
        try {
          await this.#locked(() => this.#writer.append(batch.map((waiting) => waiting.line).join("")));
          for (const waiting of batch) waiting.resolve();
        } catch (error) {
          for (const waiting of batch) waiting.reject(error);
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  #takeBatch(): Waiting[] {
    let bytes = 0;
    let count = 0;
    for (const waiting of this.#waiting) {
      bytes += waiting.line.length;
      if (count > 0 && bytes > MAX_BATCH_BYTES) break;
      count++;
    }
    return this.#waiting.splice(0, count);
  }

  #locked<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#lock.then(work);
    this.#lock = result.catch(() => undefined);
    return result;
  }

  /** Lines of every file, newest first: the current file up to its length when the read began, then the rotated ones. */
  async *#lines(): AsyncGenerator<string> {
    const { current, size, rotated } = await this.#locked(async () => {
      const handle = await openIfExists(path.join(this.#dir, CURRENT_FILE));
      const size = handle ? (await handle.stat()).size : 0;
      return { current: handle, size, rotated: await rotatedFiles(this.#dir) };
    });
    const options = { chunkBytes: READ_CHUNK_BYTES, maxLineBytes: 2 * MAX_AUDIT_LINE_BYTES };
    try {
      if (current) yield* linesBackward(current, size, options);
    } finally {
      await current?.close();
    }
    for (const file of rotated) {
      // Retention may have deleted it since: it held the oldest entries, so the read is over.
      const handle = await openIfExists(path.join(this.#dir, file.name));
      if (!handle) return;
      try {
        yield* linesBackward(handle, (await handle.stat()).size, options);
      } finally {
        await handle.close();
      }
    }
  }
}

async function openIfExists(file: string): Promise<FileHandle | undefined> {
  try {
    return await open(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}
