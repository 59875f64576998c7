import { createReadStream } from "node:fs";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { LogObjects } from "./log-objects.ts";
import { maskingStream } from "./masking-stream.ts";
import { isUploaded, localLogState, markUploaded } from "./upload-marker.ts";

/**
 * Uploads one try's log, masked on the way, unless its marker says it is stored as it is now.
 * The marker is written only after the store has the whole object, and only if the file did not
 * change meanwhile; a log that is gone (run retention removed it) needs nothing. False: nothing to do.
 */
export async function uploadLog(
  logFile: string,
  objectKey: string,
  deps: { objects: LogObjects; mask: SecretMask },
): Promise<boolean> {
  const before = await localLogState(logFile);
  if (!before || (await isUploaded(logFile, before))) return false;
  const source = createReadStream(logFile);
  const body = maskingStream(deps.mask);
  source.on("error", (error) => body.destroy(error));
  source.pipe(body);
  try {
    await deps.objects.put(objectKey, body);
  } finally {
    source.destroy();
  }
  const after = await localLogState(logFile);
  if (after && after.size === before.size && after.mtimeMs === before.mtimeMs)
    await markUploaded(logFile, after, objectKey);
  return true;
}
