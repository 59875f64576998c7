import type { Readable } from "node:stream";

/** The object store as the log store uses it; the S3 adapter (s3-log-objects.ts) is the real one. */
export interface LogObjects {
  /** Where objects go, for messages: `s3://bucket`. */
  readonly name: string;
  /** Streams `body` to `key` (replacing what is there); memory stays bounded whatever its size. */
  put(key: string, body: Readable): Promise<void>;
  /** The object's size, or undefined when there is no such object. */
  size(key: string): Promise<number | undefined>;
  /** Copies bytes [start, start + into.length) of the object into `into`; returns how many there were. */
  read(key: string, start: number, into: Buffer): Promise<number>;
}
