import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";
import { open } from "node:fs/promises";

/**
 * A state file's text, read only when it is a regular file: a FIFO put where a history or conf
 * file was would block a read for ever (readFileSync on it freezes the event loop; an async read
 * holds a libuv thread and the store's write queue). Opened without blocking, it is refused
 * instead, with an error that names the file.
 */
export function readRegularFileSync(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(file);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/** `readRegularFileSync` without waiting on the disk. */
export async function readRegularFile(file: string): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw notRegular(file);
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

function notRegular(file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${file} is not a regular file (a folder, FIFO or device): not read`), {
    code: "ENOTREG",
  });
}
