import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import path from "node:path";

/** FileHandle.write's overload for bytes (the store's appends and piece writes use it). */
export type WriteBytes = (
  this: FileHandle,
  data: Buffer,
  offset?: number,
  length?: number,
) => Promise<{ bytesWritten: number; buffer: Buffer }>;

/** FileHandle.prototype (its methods are there, shared by every handle): what a test spies on. */
export async function fileHandlePrototype(dir: string): Promise<FileHandle> {
  const probe = await open(path.join(dir, ".probe"), "w");
  const prototype = Object.getPrototypeOf(probe) as FileHandle;
  await probe.close();
  return prototype;
}
