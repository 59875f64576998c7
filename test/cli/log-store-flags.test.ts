// `--log-store` and the flags that only mean something with it.
import { describe, expect, it } from "vitest";
import { config, usageError } from "./run-config-helpers.ts";

describe("--log-store flags", () => {
  it("reads the bucket, prefix, endpoint, path style, region and local retention", () => {
    const { logStore } = config([
      "--dags",
      "d",
      "--log-store",
      "s3://team-logs/updraft/prod/",
      "--s3-endpoint",
      "http://minio:9000",
      "--s3-force-path-style",
      "--s3-region",
      "eu-central-1",
      "--keep-local-logs",
      "2d",
    ]);
    expect(logStore).toEqual({
      location: { bucket: "team-logs", prefix: "updraft/prod" },
      endpoint: "http://minio:9000",
      forcePathStyle: true,
      region: "eu-central-1",
      keepLocalMs: 2 * 24 * 3600 * 1000,
    });
    expect(config(["--dags", "d"]).logStore).toBeUndefined();
    expect(
      config(["--dags", "d"], { UPDRAFT_LOG_STORE: "s3://abc", UPDRAFT_S3_FORCE_PATH_STYLE: "true" })
        .logStore,
    ).toMatchObject({
      location: { bucket: "abc", prefix: "" },
      forcePathStyle: true,
    });
  });

  it("refuses the S3 flags and --keep-local-logs without --log-store, naming the missing flag", () => {
    expect(usageError(() => config(["--dags", "d", "--keep-local-logs", "7d"]))).toBe(
      "--keep-local-logs needs --log-store s3://bucket/prefix (it says where logs are stored)",
    );
    expect(usageError(() => config(["--dags", "d", "--s3-force-path-style"]))).toBe(
      "--s3-force-path-style needs --log-store s3://bucket/prefix",
    );
  });
});
