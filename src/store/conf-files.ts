import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Run } from "../runs/run-model.ts";
import { idRecord } from "./id-record.ts";
import { MAX_JSON_DEPTH, nestedDeeperThan } from "./json-depth.ts";
import type { StateCodec } from "./state-file.ts";
import { readRegularFile, readRegularFileSync } from "./regular-file.ts";

/** A conf up to this size (as JSON) stays in the state file; a larger one gets its own file. */
export const INLINE_CONF_BYTES = 1024;

/** A run as a state file holds it when its conf lives in `confs/`: `confRef` instead of `conf`. */
type StoredRun = Omit<Run, "conf"> & { conf?: Run["conf"]; confRef?: string };

/**
 * Large confs, once each in `confs/<run id>.json`, so a state write does not grow with them. Each
 * is written durably before the state that refers to it; state files hold `confRef` instead.
 * Runs in memory keep their conf as before: only what is written changes.
 */
export class ConfFiles {
  readonly #dir: string;
  /** Conf objects already placed: their file, or null when they stay inline. */
  readonly #placed = new WeakMap<object, string | null>();
  /** Run id → its conf file (a run's conf never changes, whichever copy of the run is written). */
  readonly #byRun = new Map<string, string>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /**
   * A state file codec that writes large confs by reference (`encode`) and reads the confs runs
   * refer to back in (`decode`).
   */
  codec<T>(
    runsOf: (data: T) => Iterable<Run>,
    withRuns: (data: T, runs: (run: Run) => Run) => T,
  ): StateCodec<T> {
    return {
      decode: (data) => this.decode(runsOf(data)),
      encode: async (data) => {
        const refs = new Map<Run, string>();
        for (const run of runsOf(data)) {
          const ref = await this.#place(run);
          if (ref) refs.set(run, ref);
        }
        return withRuns(data, (run) => {
          const ref = refs.get(run);
          return ref ? storedWithRef(run, ref) : run;
        });
      },
    };
  }

  /** Reads the confs these runs (as a state file held them) refer to back in. */
  async decode(runs: Iterable<Run>): Promise<void> {
    for (const run of runs) await this.#resolve(run as StoredRun);
  }

  /** The run as a state file holds it: a large conf by reference, its file written durably first. */
  async stored(run: Run): Promise<Run> {
    const ref = await this.#place(run);
    return ref ? storedWithRef(run, ref) : run;
  }

  /** `stored` without waiting, when the run's conf was placed before; undefined when it was not. */
  storedSync(run: Run): Run | undefined {
    const conf = run.conf as object;
    let placed = this.#placed.get(conf);
    // A new small conf stays inline: decided here, without a turn of the event loop per run.
    if (placed === undefined && !this.#byRun.has(run.id) && isSmall(conf))
      this.#placed.set(conf, (placed = null));
    if (placed === undefined) return undefined;
    return placed === null ? run : storedWithRef(run, placed);
  }

  /** Removes the conf files of these runs (pruned from history). */
  async remove(runIds: Iterable<string>): Promise<void> {
    for (const id of runIds) {
      const file = this.#byRun.get(id) ?? fileNameOf(id);
      this.#byRun.delete(id);
      await rm(path.join(this.#dir, file), { force: true });
    }
  }

  /** Removes conf files (and half-written ones) of runs the store no longer has. */
  async sweep(known: (runId: string) => boolean): Promise<void> {
    for (const file of await readdir(this.#dir).catch(() => [] as string[])) {
      const id = file.endsWith(".json") && !file.startsWith(".") ? safeDecode(file.slice(0, -5)) : undefined;
      if (id !== undefined && known(id)) continue;
      this.#byRun.delete(id ?? "");
      await rm(path.join(this.#dir, file), { force: true });
    }
  }

  /** `decode` without waiting: a history file read while a reader waits (its runs paged in). */
  decodeSync(runs: Iterable<Run>): void {
    for (const run of runs) {
      const ref = (run as StoredRun).confRef;
      if (ref === undefined) continue;
      let text: string | undefined;
      try {
        text = readRegularFileSync(path.join(this.#dir, path.basename(ref)));
      } catch {
        text = undefined;
      }
      this.#apply(run as StoredRun, ref, text);
    }
  }

  async #resolve(run: StoredRun): Promise<void> {
    const ref = run.confRef;
    if (ref === undefined) return;
    const text = await readRegularFile(path.join(this.#dir, path.basename(ref))).catch(() => undefined);
    this.#apply(run, ref, text);
  }

  #apply(run: StoredRun, ref: string, text: string | undefined): void {
    delete run.confRef;
    const conf = text === undefined ? undefined : confOf(text);
    if (conf === undefined || typeof conf === "string") {
      run.conf = idRecord();
      const why = conf ?? "was missing";
      run.notes.push(`the conf file ${ref} ${why} when the state was read; the run has an empty conf`);
      return;
    }
    run.conf = conf;
    this.#byRun.set(run.id, ref);
    this.#placed.set(run.conf, ref);
  }

  /** The conf's file (written durably if new), or undefined when the conf stays inline. */
  async #place(run: Run): Promise<string | undefined> {
    const conf = run.conf as object;
    const placed = this.#placed.get(conf);
    if (placed !== undefined) return placed ?? undefined;
    const known = this.#byRun.get(run.id);
    if (known) {
      this.#placed.set(conf, known);
      return known;
    }
    const text = JSON.stringify(conf);
    if (isSmall(conf, text)) {
      this.#placed.set(conf, null);
      return undefined;
    }
    const file = fileNameOf(run.id);
    await writeDurably(this.#dir, file, text);
    this.#byRun.set(run.id, file);
    this.#placed.set(conf, file);
    return file;
  }
}

/** Whether a conf stays inline in the state files (INLINE_CONF_BYTES as JSON at most). */
function isSmall(conf: object, text = JSON.stringify(conf)): boolean {
  // A string's UTF-8 length is at most 3 bytes per UTF-16 unit: most confs are decided without encoding.
  return text.length * 3 <= INLINE_CONF_BYTES || Buffer.byteLength(text) <= INLINE_CONF_BYTES;
}

function storedWithRef(run: Run, ref: string): Run {
  const { conf: _conf, ...rest } = run;
  return { ...rest, confRef: ref } as StoredRun as Run;
}

/** A conf file's conf (an object, without a prototype), or why it is not one. */
function confOf(text: string): Run["conf"] | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `was not valid JSON (${(error as Error).message})`;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return "did not hold a JSON object";
  if (nestedDeeperThan(value)) return `was nested more than ${MAX_JSON_DEPTH} levels deep`;
  return idRecord(value as Record<string, unknown>);
}

function fileNameOf(runId: string): string {
  return `${encodeURIComponent(runId)}.json`;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** Temp file, fsync, rename, fsync of the folder: the file is whole on disk, or absent. */
async function writeDurably(dir: string, file: string, text: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = path.join(dir, `.${file}.${process.pid}.tmp`);
  const handle = await open(temp, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path.join(dir, file));
  const folder = await open(dir, "r");
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
