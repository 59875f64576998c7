import { createReadStream } from "node:fs";
import type { SecretMask } from "../secrets/secret-mask.ts";
import type { LogObjects } from "./log-objects.ts";
import type { OneAtATime } from "./one-at-a-time.ts";
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
  deps: { objects: LogObjects; mask: SecretMask; largeUploads?: OneAtATime },
): Promise<boolean> {
  const before = await localLogState(logFile);
  if (!before || (await isUploaded(logFile, before))) return false;
  // A multipart upload buffers its parts: one large log at a time keeps memory bounded however many end at once.
  if (deps.largeUploads && before.size > LARGE_LOG_BYTES)
    return deps.largeUploads.run(() => putLog(logFile, objectKey, before, deps));
  return putLog(logFile, objectKey, before, deps);
}

/** Logs above this go up as multipart uploads (the S3 adapter's part size). */
export const LARGE_LOG_BYTES = 8 * 1024 * 1024;

async function putLog(
  logFile: string,
  objectKey: string,
  before: NonNullable<Awaited<ReturnType<typeof localLogState>>>,
  deps: { objects: LogObjects; mask: SecretMask },
): Promise<boolean> {
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
