import type { TryFileKey } from "../runs/try-files.ts";

/** Where task logs are stored: `s3://bucket/prefix` (`--log-store`). */
export interface LogStoreLocation {
  bucket: string;
  /** Without leading or trailing slashes; "" for the bucket's root. */
  prefix: string;
}

/**
 * Reads `s3://bucket[/prefix]`. The bucket follows S3's naming rules (3-63 characters: lower-case
 * letters, digits, dots, hyphens); returns a reason when the text is not such a URL.
 */
export function parseLogStoreUrl(text: string): LogStoreLocation | string {
  const match = /^s3:\/\/([^/]*)(?:\/(.*))?$/.exec(text);
  if (!match) return 'is not an s3:// URL (e.g. "s3://my-bucket/updraft/logs")';
  const [, bucket = "", rawPrefix = ""] = match;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket))
    return `names bucket "${bucket}", which is not a valid S3 bucket name (3-63 characters: a-z, 0-9, "." and "-")`;
  const prefix = rawPrefix.replace(/^\/+|\/+$/g, "");
  // eslint-disable-next-line no-control-regex -- control characters cannot be part of a key.
  if (/[\u0000-\u001f\u007f]/.test(prefix) || prefix.split("/").some((part) => part === "." || part === ".."))
    return `has prefix "${prefix}", which holds control characters or "." / ".." parts`;
  return { bucket, prefix };
}

/** The object key of one try's log: `<prefix>/<dag>/<run>/<task>/try-<n>.log`. */
export function tryObjectKey(prefix: string, key: TryFileKey): string {
  const tail = `${key.dagId}/${key.runId}/${key.taskId}/try-${key.try}.log`;
  return prefix === "" ? tail : `${prefix}/${tail}`;
}
