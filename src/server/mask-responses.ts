import type { MiddlewareHandler } from "hono";
import type { SecretMask } from "../secrets/secret-mask.ts";

// JSON and HTML are what the API and the pages answer. Task logs (text/plain) are masked line by
// line where they are read, and must keep streaming live, so they pass through untouched.
const MASKED_TYPES = /^(application\/([\w.+-]+\+)?json|text\/html)\b/i;

/**
 * Masks every known secret in JSON and HTML response bodies (error answers included), streaming:
 * only a tail shorter than the longest secret form is held back, so memory stays bounded.
 */
export function maskResponses(mask: SecretMask): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const response = c.res;
    if (mask.empty || !response.body || !MASKED_TYPES.test(response.headers.get("content-type") ?? ""))
      return;
    const headers = new Headers(response.headers);
    // Masking changes the length.
    headers.delete("content-length");
    const body = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(maskingStream(mask))
      .pipeThrough(new TextEncoderStream());
    // Cleared first: Hono copies the old response's headers (its content-length too) onto a new one.
    c.res = undefined;
    c.res = new Response(body, { status: response.status, statusText: response.statusText, headers });
  };
}

function maskingStream(mask: SecretMask): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, controller) {
      const piece = mask.maskPrefix(rest + chunk);
      rest = piece.rest;
      if (piece.masked) controller.enqueue(piece.masked);
    },
    flush(controller) {
      if (rest) controller.enqueue(mask.mask(rest));
    },
  });
}
