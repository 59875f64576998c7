import type { Context, MiddlewareHandler } from "hono";
import type { Role } from "../../access/role.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "./app-env.ts";
import { authorizeWrite, type WriteTarget } from "./authorize.ts";

/** The write guard of the app's routes: `guard("trigger", "operator", targetOf)`. */
export function writeGuard(
  deps: Pick<AppDeps, "auth" | "registry" | "audit" | "log">,
): (action: string, role: Role, targetOf: (c: Context<AppEnv>) => WriteTarget) => MiddlewareHandler<AppEnv> {
  const guardDeps = {
    settings: deps.auth,
    dagPath: (dagId: string) => deps.registry.get(dagId)?.pathInDags,
    audit: deps.audit,
    log: deps.log,
  };
  return (action, role, targetOf) => authorizeWrite(guardDeps, action, role, targetOf);
}
