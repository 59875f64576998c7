import path from "node:path";
import { durableStateWriter, type StateWriter } from "../../src/store/durable-write.ts";

/** The daemon's real state writer, keeping the name of each file written whole and each append's text. */
export function recordingWriter(): StateWriter & { appended: string[]; written: string[] } {
  const appended: string[] = [];
  const written: string[] = [];
  return {
    appended,
    written,
    write: async (file, text) => (written.push(path.basename(file)), durableStateWriter.write(file, text)),
    append: async (file, text) => (appended.push(text), durableStateWriter.append?.(file, text)),
  };
}
