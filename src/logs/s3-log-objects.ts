import { LARGE_LOG_BYTES } from "./log-upload.ts";
import { createRequire } from "node:module";
import type { Readable } from "node:stream";
import type { LogObjects } from "./log-objects.ts";

// Loaded when a log store is made, not imported: the SDK's modules take 100-250 ms to load, which
// every start without --log-store s3:// would pay for nothing (issue 17, spawn → listening).
const load = createRequire(import.meta.url);
const s3Sdk = () => load("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
const storageSdk = () => load("@aws-sdk/lib-storage") as typeof import("@aws-sdk/lib-storage");

/** Multipart uploads hold at most QUEUE_SIZE × PART_SIZE of a log in memory. */
const PART_SIZE = LARGE_LOG_BYTES;
const QUEUE_SIZE = 2;

export interface S3Settings {
  bucket: string;
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** Undefined: the SDK's (AWS_REGION, ~/.aws/config). */
  region: string | undefined;
}

/**
 * Log objects in an S3 bucket (AWS, or a compatible store at `endpoint`). Credentials come from the
 * AWS SDK's default chain only (environment, web identity/IRSA, container and instance profile).
 */
export function s3LogObjects(
  settings: S3Settings,
  env: Readonly<Record<string, string | undefined>>,
): LogObjects {
  // The SDK's documented switch for its "Node < 22 support ends" warning, printed on every start
  // on Node 20; a user who sets the variable keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } = s3Sdk();
  const { Upload } = storageSdk();
  const isNotFound = (error: unknown) => notFound(error, S3ServiceException);
  const region = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const client = new S3Client({
    ...(region ? { region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    forcePathStyle: settings.forcePathStyle,
    // S3-compatible stores differ in the flexible checksums they accept: send them where required.
    ...(settings.endpoint
      ? { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }
      : {}),
    // A store that does not answer fails the attempt (the upload queue retries) instead of hanging.
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 120_000 },
  });
  const Bucket = settings.bucket;
  return {
    name: `s3://${Bucket}`,
    async put(key, body: Readable) {
      const upload = new Upload({
        client,
        params: { Bucket, Key: key, Body: body, ContentType: "text/plain; charset=utf-8" },
        queueSize: QUEUE_SIZE,
        partSize: PART_SIZE,
        leavePartsOnError: false,
      });
      await upload.done();
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: key }));
        return head.ContentLength ?? 0;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async read(key, start, into) {
      if (into.length === 0) return 0;
      const got = await client.send(
        new GetObjectCommand({ Bucket, Key: key, Range: `bytes=${start}-${start + into.length - 1}` }),
      );
      let filled = 0;
      const body = got.Body as Readable | undefined;
      if (!body) return 0;
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        const room = into.length - filled;
        Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(room, chunk.byteLength)).copy(into, filled);
        filled += Math.min(room, chunk.byteLength);
        if (filled >= into.length) {
          body.destroy();
          break;
        }
      }
      return filled;
    },
  };
}

function notFound(
  error: unknown,
  S3ServiceException: typeof import("@aws-sdk/client-s3").S3ServiceException,
): boolean {
  if (error instanceof S3ServiceException)
    return error.$metadata.httpStatusCode === 404 || error.name === "NotFound" || error.name === "NoSuchKey";
  return false;
}
