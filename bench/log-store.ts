/**
 * `npm run bench:log-store`: a 300 MB task log (BENCH_LOG_MB to change) uploaded to an S3-compatible
 * store (s3rver, in a child process) the way the daemon does it: read from the local file, masked
 * line by line, multipart (2 × 8 MiB parts in flight). Prints the time and the RSS growth over the
 * RSS before (PASS within +64 MB; after a one-line upload, so the SDK's own code is loaded), then deletes the local copy and reads the log's last 1 MB back
 * from the store as the log API does (ranged GETs), with its time and RSS.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { s3LogObjects } from "../src/logs/s3-log-objects.ts";
import { TaskLogStore } from "../src/logs/task-log-store.ts";
import { uploadLog } from "../src/logs/log-upload.ts";
import { tryObjectKey } from "../src/logs/store-location.ts";
import { createLogger } from "../src/log/logger.ts";
import { tryLogFile } from "../src/runs/try-files.ts";
import { SecretMask } from "../src/secrets/secret-mask.ts";
import { logText, readLog } from "../src/server/views/log-reader.ts";
import { benchInTempDir, line, mb, ms, verdict } from "./lib/figures.ts";
import { startS3rverProcess } from "./lib/s3rver-process.ts";

const LOG_MB = Number(process.env.BENCH_LOG_MB) || 300;
const RSS_BUDGET = 64 * 1024 * 1024;
const SECRET = "bench-secret-value";
const BUCKET = "bench-logs";

/** Runs `work` while sampling RSS; returns its time, and the peak RSS and its growth. */
async function measured<T>(work: () => Promise<T>) {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  try {
    const value = await work();
    return { value, took: performance.now() - started, peak, growth: peak - before };
  } finally {
    clearInterval(timer);
  }
}

async function writeLog(file: string): Promise<number> {
  const out = createWriteStream(file);
  const filler = "x".repeat(90);
  let written = 0;
  for (let i = 0; written < LOG_MB * 1024 * 1024; i++) {
    const text = `${new Date(1_800_000_000_000 + i).toISOString()} line ${i} ${i % 500 === 0 ? SECRET : filler}\n`;
    written += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return written;
}

await benchInTempDir("bench:log-store", async (root) => {
  process.env.AWS_ACCESS_KEY_ID ??= "S3RVER";
  process.env.AWS_SECRET_ACCESS_KEY ??= "S3RVER";
  const s3rver = await startS3rverProcess(path.join(root, "s3rver"), BUCKET);
  try {
    const objects = s3LogObjects(
      { bucket: BUCKET, endpoint: s3rver.endpoint, forcePathStyle: true, region: "us-east-1" },
      process.env,
    );
    const logsDir = path.join(root, "logs");
    const key = { dagId: "bench", runId: "manual__1", taskId: "big", try: 1 };
    const file = tryLogFile(logsDir, key);
    await mkdir(path.dirname(file), { recursive: true });
    const size = await writeLog(file);
    line("log written", mb(size));
    const mask = new SecretMask([SECRET]);
    const objectKey = tryObjectKey("prefix", key);

    // The SDK loads most of its code on its first request: a one-line log first, as a daemon has
    // after its first upload, so the figure below is what the log's size costs.
    const small = tryLogFile(logsDir, { ...key, try: 2 });
    await writeFile(small, "warm-up\n");
    const warmUp = await measured(() =>
      uploadLog(small, tryObjectKey("prefix", { ...key, try: 2 }), { objects, mask }),
    );
    line(
      "first upload (a one-line log: the SDK's code loads)",
      `${ms(warmUp.took)}; +${mb(warmUp.growth)} RSS`,
    );
    const upload = await measured(() => uploadLog(file, objectKey, { objects, mask }));
    const stored = (await objects.size(objectKey)) ?? 0;
    line(
      `upload of ${mb(size)} (masked, multipart)`,
      `${ms(upload.took)} (${mb(size / (upload.took / 1000))}/s); peak RSS ${mb(upload.peak)}, +${mb(upload.growth)} (${verdict(upload.growth, RSS_BUDGET, mb)})`,
    );
    line("stored object", `${mb(stored)}${stored > 0 ? "" : " (MISSING)"}`);

    await rm(file);
    const logs = new TaskLogStore({
      logsDir,
      prefix: "prefix",
      objects,
      mask,
      keepLocalMs: undefined,
      tryIsActive: () => false,
      log: createLogger({ level: "silent" }),
      onAttempt: () => undefined,
      now: Date.now,
    });
    const tail = await measured(async () => {
      const read = await readLog(logs.opener(file, key), {
        from: stored - 1024 * 1024,
        limit: 1024 * 1024,
        live: false,
        mask,
      });
      return logText(read);
    });
    const masked = tail.value.includes("***") && !tail.value.includes(SECRET);
    line(
      "read of the last 1 MB from the store (local copy gone)",
      `${ms(tail.took)}; ${mb(Buffer.byteLength(tail.value))} served${masked ? ", masked" : " (NOT MASKED)"}; peak RSS ${mb(tail.peak)}, +${mb(tail.growth)} (${verdict(tail.growth, RSS_BUDGET, mb)})`,
    );
    await stat(file).then(
      () => line("local copy", "still there (MISS)"),
      () => undefined,
    );
  } finally {
    await s3rver.stop();
  }
});
