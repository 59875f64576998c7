import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import type { Cleanup } from "./cleanup.ts";

/** The credentials s3rver accepts, as the AWS SDK's default chain reads them from the environment. */
export const S3RVER_ENV = {
  AWS_ACCESS_KEY_ID: "S3RVER",
  AWS_SECRET_ACCESS_KEY: "S3RVER",
  AWS_REGION: "us-east-1",
} as const;

/** A local S3-compatible server (s3rver) on 127.0.0.1 holding one bucket, stopped and started at will. */
export interface S3Store {
  readonly port: number;
  readonly bucket: string;
  /** `--s3-endpoint` and `--s3-force-path-style` for the daemon. */
  readonly flags: string[];
  /** The object's text, or undefined when there is none. */
  text(key: string): Promise<string | undefined>;
  keys(prefix?: string): Promise<string[]>;
  /** Stops answering (connections refused) until `start`. */
  stop(): Promise<void>;
  /** Starts again on the same port and folder: the objects are still there. */
  start(): Promise<void>;
}

export async function startS3Store(cleanup: Cleanup, bucket = "updraft-logs"): Promise<S3Store> {
  const directory = await cleanup.tempDir("s3rver");
  let server: S3rver | undefined;
  let port = 0;
  const start = async () => {
    const next = new S3rver({
      port,
      address: "127.0.0.1",
      silent: true,
      directory,
      configureBuckets: [{ name: bucket }],
    });
    port = (await next.run()).port;
    server = next;
  };
  const stop = async () => {
    const running = server;
    server = undefined;
    if (!running?.httpServer) return;
    const closed = running.close();
    running.httpServer.closeAllConnections();
    await closed;
  };
  await start();
  cleanup.defer(stop);
  const endpoint = `http://127.0.0.1:${port}`;
  // The SDK's Node 20 warning stays out of the test's output; the variable is not left set, so
  // daemons the test spawns show whether they silence it themselves.
  const warning = process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const client = new S3Client({
    endpoint,
    forcePathStyle: true,
    region: S3RVER_ENV.AWS_REGION,
    credentials: {
      accessKeyId: S3RVER_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: S3RVER_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });
  if (warning === undefined) delete process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
  else process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = warning;
  cleanup.defer(() => client.destroy());
  return {
    port,
    bucket,
    flags: ["--s3-endpoint", endpoint, "--s3-force-path-style"],
    async text(key) {
      try {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return await got.Body?.transformToString("utf8");
      } catch (error) {
        if ((error as { name?: string }).name === "NoSuchKey") return undefined;
        throw error;
      }
    },
    async keys(prefix) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      return (listed.Contents ?? []).map((object) => object.Key ?? "").sort();
    },
    stop,
    start,
  };
}
