import type { Logger } from "../log/logger.ts";
import { type TryFileKey, tryLogFile } from "../runs/try-files.ts";
import type { SecretMask } from "../secrets/secret-mask.ts";
import { type LogOpener, openLocalLog } from "./log-handle.ts";
import type { LogObjects } from "./log-objects.ts";
import { uploadLog } from "./log-upload.ts";
import { OneAtATime } from "./one-at-a-time.ts";
import { sweepLocalLogs } from "./local-log-sweep.ts";
import { ObjectLogHandle } from "./object-log-handle.ts";
import { tryObjectKey } from "./store-location.ts";
import { UploadQueue, type UploadResult } from "./upload-queue.ts";

export interface TaskLogStoreOptions {
  logsDir: string;
  /** Key prefix in the store ("" for none). */
  prefix: string;
  objects: LogObjects;
  mask: SecretMask;
  /** `--keep-local-logs` in ms; undefined: local logs are never deleted. */
  keepLocalMs: number | undefined;
  tryIsActive(key: TryFileKey): boolean;
  log: Logger;
  /** Each upload attempt (`updraft_log_uploads_total{result}`). */
  onAttempt(result: UploadResult): void;
  now(): number;
}

/** Uploads at once; of them, one large (multipart) upload at a time, holding 2 × 8 MiB parts at most. */
const CONCURRENCY = 2;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
/** How often the local logs are swept with --keep-local-logs: half of it, within [1s, 5min]. */
const sweepEvery = (keepMs: number) => Math.min(5 * 60_000, Math.max(1_000, Math.floor(keepMs / 2)));

/**
 * Task logs in object storage: a try's log is uploaded when the try ends (and, after a restart,
 * whatever was not), read from the store once the local copy is gone, and the local copy deleted
 * after `--keep-local-logs` once it is uploaded.
 */
export class TaskLogStore {
  readonly #queue: UploadQueue;
  readonly #largeUploads = new OneAtATime();
  #timer: NodeJS.Timeout | undefined;
  #sweeping: Promise<unknown> | undefined;
  #stopped = false;

  constructor(private readonly o: TaskLogStoreOptions) {
    this.#queue = new UploadQueue({
      concurrency: CONCURRENCY,
      firstDelayMs: FIRST_RETRY_MS,
      maxDelayMs: MAX_RETRY_MS,
      onAttempt: (result, id, error) => {
        o.onAttempt(result);
        if (result === "error")
          o.log.warn(
            { err: error, object: id, store: o.objects.name },
            "could not upload a task log; retrying",
          );
      },
    });
  }

  /** Logs waiting to be uploaded (or retried, or under way). */
  get pending(): number {
    return this.#queue.pending;
  }

  /** Sweeps once now (finds what a killed daemon left to upload), then every so often with --keep-local-logs. */
  start(): void {
    if (this.#stopped) return;
    this.#sweep();
    const keep = this.o.keepLocalMs;
    if (keep === undefined) return;
    this.#timer = setInterval(() => this.#sweep(), sweepEvery(keep));
    this.#timer.unref();
  }

  /** A try ended: its log is complete, upload it. */
  tryEnded(key: TryFileKey): void {
    let file: string;
    try {
      file = tryLogFile(this.o.logsDir, key);
    } catch {
      return;
    }
    this.#upload(key, file);
  }

  /** Reads a try's log from the local file while there is one, else from the store. */
  opener(file: string, key: TryFileKey): LogOpener {
    return async () => {
      const local = await openLocalLog(file);
      if (local) return local;
      const objectKey = tryObjectKey(this.o.prefix, key);
      const size = await this.o.objects.size(objectKey);
      return size === undefined ? undefined : new ObjectLogHandle(this.o.objects, objectKey, size);
    };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#sweeping;
    await this.#queue.stop();
  }

  #upload(key: TryFileKey, file: string): void {
    const objectKey = tryObjectKey(this.o.prefix, key);
    this.#queue.add(objectKey, () =>
      uploadLog(file, objectKey, { ...this.o, largeUploads: this.#largeUploads }),
    );
  }

  #sweep(): void {
    if (this.#stopped || this.#sweeping) return;
    this.#sweeping = sweepLocalLogs({
      logsDir: this.o.logsDir,
      tryIsActive: this.o.tryIsActive,
      notUploaded: (key, file) => this.#upload(key, file),
      keepLocalMs: this.o.keepLocalMs,
      now: this.o.now,
    })
      .then((deleted) => {
        if (deleted > 0) this.o.log.info({ deleted }, "deleted uploaded local task logs (--keep-local-logs)");
      })
      .catch((error: unknown) => this.o.log.warn({ err: error }, "could not sweep the local task logs"))
      .finally(() => {
        this.#sweeping = undefined;
      });
  }
}
