import { open } from "node:fs/promises";

/** A log's bytes, read at positions: a local file, or a stored object through ranged GETs. */
export interface LogHandle {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Opens one try's log wherever it is; undefined when it is nowhere (the try wrote none). */
export type LogOpener = () => Promise<LogHandle | undefined>;

/** The local file, or undefined when there is none. */
export async function openLocalLog(file: string): Promise<LogHandle | undefined> {
  return open(file, "r").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
}
