import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one error the HTTP layer throws; the app's error boundary turns it into `{ error: { code, message } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    /** One line per bad field, answered as `error.problems` (a refused conf). */
    readonly problems?: readonly string[],
  ) {
    super(message);
  }
}
