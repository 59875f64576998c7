import { Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import type { SecretMask } from "../secrets/secret-mask.ts";

/** A line longer than this is masked in parts (memory stays bounded), as the executors write them. */
export const MASK_LINE_BYTES = 1024 * 1024;

/**
 * Masks a log as it streams: a block of whole lines at a time, so a secret is never split between
 * two maskings; a line longer than MASK_LINE_BYTES is masked up to a tail that could still begin a
 * secret, which moves on with the rest of the line. Lines are kept whole (nothing is cut), so a
 * log masked already comes out byte for byte the same.
 */
export function maskingStream(mask: SecretMask): Transform {
  const decoder = new StringDecoder("utf8");
  let carry = "";
  const masked = (text: string) => Buffer.from(mask.empty ? text : mask.mask(text), "utf8");
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = carry + decoder.write(chunk);
      const lastNewline = text.lastIndexOf("\n");
      if (lastNewline >= 0) this.push(masked(text.slice(0, lastNewline + 1)));
      carry = text.slice(lastNewline + 1);
      if (carry.length > MASK_LINE_BYTES) {
        const { masked: head, rest } = mask.empty ? { masked: carry, rest: "" } : mask.maskPrefix(carry);
        this.push(Buffer.from(head, "utf8"));
        carry = rest;
      }
      done();
    },
    flush(done) {
      const text = carry + decoder.end();
      carry = "";
      if (text.length > 0) this.push(masked(text));
      done();
    },
  });
}
