import type { Principal } from "../../access/principal.ts";
import type { PageAccess } from "./page-access.ts";

/** What the middleware puts on each request for the routes and pages after it. */
export interface AppVariables {
  /** `X-Request-Id` of this request (also in the audit entry). */
  requestId: string;
  /** Who sent the request; undefined when it carried no credentials. */
  principal: Principal | undefined;
  /** What the page shows and hides for this viewer. */
  access: PageAccess;
  /** A summary of a write's input for its audit entry (set by the route, e.g. a trigger's conf). */
  auditInput: unknown;
}

export interface AppEnv {
  Variables: AppVariables;
}
