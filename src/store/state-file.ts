import { readFile } from "node:fs/promises";
import { durableStateWriter, type StateWriter } from "./durable-write.ts";

/** A state file that cannot be read as JSON. Start-up stops on it; it is never silently replaced. */
export class CorruptStateError extends Error {
  readonly code = "state_corrupt";
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `state file ${file} is corrupt (${(cause as Error).message}). updraft will not overwrite it. To recover: stop updraft, move it aside (mv ${file} ${file}.corrupt) to start with empty state, or restore it from a backup, then start again.`,
      { cause },
    );
  }
}

/**
 * How data in memory becomes what the file holds and back: e.g. large confs written to files of
 * their own and referred to. `decode` completes data read from the file, in place.
 */
export interface StateCodec<T> {
  encode(data: T): Promise<T>;
  decode(data: T): Promise<void>;
  /** The file's text for encoded data, when it has a faster way than JSON.stringify to the same JSON. */
  stringify?(encoded: T): string;
}

/**
 * One JSON state file held in memory. `write()` is all or nothing for the caller: when the disk
 * refuses the write (ENOSPC, EIO), `data` is put back to what was last written, so a change that
 * is not on disk is neither visible nor acted on.
 */
export class StateFile<T> {
  data: T;
  readonly #file: string;
  readonly #writer: StateWriter;
  /** The text on disk (the initial value's until the first write), kept to roll back to. */
  #written: string;
  #codec: StateCodec<T> | undefined;

  constructor(file: string, data: T, written: string, writer: StateWriter) {
    this.#file = file;
    this.data = data;
    this.#written = written;
    this.#writer = writer;
  }

  /** Encodes every later write with `codec`, and decodes the data read so far. */
  async useCodec(codec: StateCodec<T>): Promise<void> {
    this.#codec = codec;
    await codec.decode(this.data);
  }

  async write(): Promise<void> {
    let text: string;
    try {
      const encoded = this.#codec ? await this.#codec.encode(this.data) : this.data;
      text = this.#codec?.stringify ? this.#codec.stringify(encoded) : JSON.stringify(encoded);
      await this.#writer.write(this.#file, text);
    } catch (error) {
      await this.revert();
      throw error;
    }
    this.#written = text;
  }

  /** Puts `data` back to what was last written (a change that failed half-way leaves nothing). */
  async revert(): Promise<void> {
    const data = parseState<T>(this.#file, this.#written);
    await this.#codec?.decode(data);
    this.data = data;
  }
}

/** Reads a state file (`initial` when there is none); throws CorruptStateError for unreadable JSON. */
export async function openStateFile<T>(
  file: string,
  initial: T,
  writer: StateWriter = durableStateWriter,
): Promise<StateFile<T>> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  const written = text ?? JSON.stringify(initial);
  return new StateFile<T>(file, parseState<T>(file, written), written, writer);
}

/** The one place state text becomes objects (on load and on a roll-back). */
function parseState<T>(file: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new CorruptStateError(file, error);
  }
}
