import { createHmac, randomUUID } from "node:crypto";
import { mkdir, open, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { HttpError } from "./http-error.ts";

/** A request body read once: its HMAC-SHA256, and (when kept) the temp file holding it. */
export interface SpooledBody {
  /** `sha256=<hex>`, as GitHub's X-Hub-Signature-256 has it. */
  signature: string;
  /** The body's text; read from the temp file, so only call it once the signature matched. */
  text(): Promise<string>;
  /** Removes the temp file; safe to call more than once. */
  discard(): Promise<void>;
}

/**
 * Streams a body into an HMAC and, when `keep`, into a private temp file under `dir`, refusing
 * it with 413 once it passes `maxBytes`: no body is ever held in memory before it is verified.
 */
export async function spoolBody(
  body: AsyncIterable<Uint8Array> | null,
  options: { secret: string; maxBytes: number; keep: boolean; dir: string | undefined; tooLarge: string },
): Promise<SpooledBody> {
  const hmac = createHmac("sha256", options.secret);
  const dir = options.dir ?? os.tmpdir();
  const file = options.keep ? path.join(dir, `webhook-${randomUUID()}.body`) : undefined;
  const discard = async () => {
    if (file) await rm(file, { force: true });
  };
  if (file) await mkdir(dir, { recursive: true, mode: 0o700 });
  const handle = file ? await open(file, "wx", 0o600) : undefined;
  try {
    let total = 0;
    if (body) {
      // Iterated by hand: leaving the loop early must not destroy the socket before the 413 is sent.
      const chunks = body[Symbol.asyncIterator]();
      for (;;) {
        const { done, value } = await chunks.next();
        if (done) break;
        total += value.byteLength;
        if (total > options.maxBytes) throw new HttpError(413, "payload_too_large", options.tooLarge);
        hmac.update(value);
        await handle?.write(value);
      }
    }
    await handle?.close();
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await discard();
    throw error;
  }
  return {
    signature: `sha256=${hmac.digest("hex")}`,
    text: async () => (file ? readFile(file, "utf8") : ""),
    discard,
  };
}
