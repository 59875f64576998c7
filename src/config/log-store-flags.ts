import { type LogStoreLocation, parseLogStoreUrl } from "../logs/store-location.ts";
import { durationOfAtLeast, valid } from "./flag-parsers.ts";
import { flag, switchFlag, UsageError } from "./flags.ts";
import type { RunFlagValues } from "./run-flags.ts";

/** `--log-store` and its S3 settings; credentials come from the AWS SDK's default chain only. */
export const LOG_STORE_FLAGS = [
  flag({
    name: "log-store",
    description:
      "s3://bucket/prefix: each try's log is uploaded (masked) there when the try ends, key <prefix>/<dag>/<run>/<task>/try-<n>.log, and served from there once the local copy is gone. Credentials: the AWS SDK's default chain (env, web identity/IRSA, instance profile). See docs/log-store.md.",
    parse: (text, name): LogStoreLocation => {
      const location = parseLogStoreUrl(text);
      if (typeof location === "string") throw new UsageError(`${name}: "${text}" ${location}`);
      return location;
    },
  }),
  flag({
    name: "s3-endpoint",
    defaultText: "AWS S3 for the region",
    description: "URL of an S3-compatible store (MinIO, Ceph, R2…) for --log-store.",
    parse: valid("is not an http(s) URL", (text) => (/^https?:\/\/[^/\s]+/.test(text) ? text : undefined)),
  }),
  switchFlag({
    name: "s3-force-path-style",
    description:
      "Address the bucket as <endpoint>/<bucket>/<key> instead of <bucket>.<endpoint>/<key> (MinIO and most S3-compatible stores need it).",
  }),
  flag({
    name: "s3-region",
    defaultText: "the AWS SDK's (`AWS_REGION`, ~/.aws/config)",
    description: "Region of the --log-store bucket.",
  }),
  flag({
    name: "keep-local-logs",
    defaultText: "forever",
    description:
      "Deletes local try logs older than this (e.g. 7d, 12h) once they are uploaded to --log-store; a log not yet uploaded, or of a running try, is kept.",
    parse: valid('is not a duration of at least 1s (e.g. "7d", "12h")', durationOfAtLeast(1000)),
  }),
] as const;

/** `updraft run`'s log store settings; undefined without `--log-store`. */
export interface LogStoreConfig {
  location: LogStoreLocation;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  region: string | undefined;
  /** `--keep-local-logs` in ms; undefined: local logs are kept. */
  keepLocalMs: number | undefined;
}

export function logStoreFrom(values: RunFlagValues): LogStoreConfig | undefined {
  const location = values["log-store"];
  if (!location) {
    for (const name of ["s3-endpoint", "s3-region", "keep-local-logs"] as const)
      if (values[name] !== undefined)
        throw new UsageError(
          `--${name} needs --log-store s3://bucket/prefix (it says where logs are stored)`,
        );
    if (values["s3-force-path-style"])
      throw new UsageError("--s3-force-path-style needs --log-store s3://bucket/prefix");
    return undefined;
  }
  return {
    location,
    endpoint: values["s3-endpoint"],
    forcePathStyle: values["s3-force-path-style"],
    region: values["s3-region"],
    keepLocalMs: values["keep-local-logs"],
  };
}
