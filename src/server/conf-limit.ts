import { HttpError } from "./http-error.ts";

/** Room a trigger body may take beyond its conf: `{"conf": ...}` and some whitespace. */
export const CONF_ENVELOPE_BYTES = 1024;

/** The 413 for a conf (or a trigger body) over `--max-conf-bytes`. */
export function confTooLarge(maxConfBytes: number): HttpError {
  return new HttpError(
    413,
    "payload_too_large",
    `conf exceeds ${maxConfBytes} bytes as JSON (--max-conf-bytes ${maxConfBytes}); send a smaller conf or raise the flag`,
  );
}
