import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { setCookie } from "hono/cookie";
import { HttpError } from "../http-error.ts";
import { localPath } from "./local-path.ts";
import { PAGE_HEADERS } from "../page/layout.ts";
import { secretsEqual } from "../secret-compare.ts";
import { READ_COOKIE, readCookieValue, readTokens } from "./read-access.ts";
import { tokenFormPage } from "./token-form-page.ts";
import type { WriteAuth } from "./write-auth.ts";

const MAX_FORM_BYTES = 4096;

/** `POST /auth/token`: the token form's target. A right token sets the read cookie; nothing echoes it. */
export function tokenFormRoutes(
  auth: WriteAuth & { publicOrigin?: string | undefined },
  version: string,
): Hono {
  // Behind an https --public-url the cookie never travels over plain http.
  const secure = auth.publicOrigin?.startsWith("https:") ?? false;
  const app = new Hono();
  app.post(
    "/auth/token",
    bodyLimit({
      maxSize: MAX_FORM_BYTES,
      onError: () => {
        throw new HttpError(
          413,
          "payload_too_large",
          `the token form's body exceeds ${MAX_FORM_BYTES} bytes`,
        );
      },
    }),
    async (c) => {
      const fields = new URLSearchParams(await c.req.text());
      const given = fields.get("token")?.trim() ?? "";
      const next = localPath(fields.get("next"));
      let match: string | undefined;
      for (const token of readTokens(auth)) if (secretsEqual(given, token)) match = token;
      if (match === undefined)
        return c.html(tokenFormPage({ next, refused: true, now: new Date(), version }), 401, PAGE_HEADERS);
      setCookie(c, READ_COOKIE, readCookieValue(match), {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
        secure,
      });
      return c.redirect(next, 303);
    },
  );
  return app;
}
