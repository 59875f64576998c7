import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { podLogHandler } from "../logs/log-api.ts";
import { KubeError, methodNotAllowed, routeNotFound, unauthorized } from "../status.ts";
import type { ApiContext, Handler, KindHandlers, Reply } from "./context.ts";
import { eventHandlers } from "./events-api.ts";
import { readJson, sendError, sendJson } from "./http-io.ts";
import { leaseHandlers } from "./leases-api.ts";
import { namespaceHandlers } from "./namespaces-api.ts";
import { podHandlers } from "./pods-api.ts";
import { requestInfo, type RequestInfo } from "./request-info.ts";

const KINDS: Record<string, KindHandlers> = {
  "/pods": { ...podHandlers, subresources: { ...podHandlers.subresources, log: { get: podLogHandler } } },
  "/events": eventHandlers,
  "/namespaces": namespaceHandlers,
  "coordination.k8s.io/leases": leaseHandlers,
};

const VERSIONS: Record<string, string> = { "": "v1", "coordination.k8s.io": "v1" };

/** An entry of the request journal: what a test counts, and what RBAC rules it would take. */
export interface JournalEntry extends RequestInfo {
  at: number;
  /** The HTTP status answered (undefined while a stream is open). */
  code?: number;
  /** Answered by an injected fault, not by the fake's logic. */
  fault?: boolean;
}

export interface RouterOptions {
  ctx: ApiContext;
  token: string;
  journal: JournalEntry[];
  /** Stamps journal entries. */
  now: () => number;
}

function nonResource(path: string): Reply | undefined {
  if (path === "/version") {
    return {
      code: 200,
      body: { major: "1", minor: "31", gitVersion: "v1.31.0-fake", platform: "linux/amd64" },
    };
  }
  if (path === "/api") return { code: 200, body: { kind: "APIVersions", versions: ["v1"] } };
  return undefined;
}

function pick(info: RequestInfo): Handler {
  if (VERSIONS[info.apiGroup] !== info.apiVersion) throw routeNotFound();
  const [resource = "", subresource] = info.resource.split("/");
  const kind = KINDS[`${info.apiGroup}/${resource}`];
  if (!kind) throw routeNotFound();
  if (subresource) {
    const sub = kind.subresources?.[subresource];
    if (!sub) throw routeNotFound();
    const verb =
      info.verb === "get" || info.verb === "create" || info.verb === "update" ? info.verb : undefined;
    const handler = verb && sub[verb];
    if (!handler) throw methodNotAllowed();
    return handler;
  }
  const handler = kind[info.verb as keyof Omit<KindHandlers, "subresources">];
  if (!handler) throw methodNotAllowed();
  return handler;
}

/** The HTTP entry point: journal, bearer token, injected delays and failures, then the kind's handler. */
export function createRouter({ ctx, token, journal, now }: RouterOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://fake-kube");
    const method = req.method ?? "GET";
    const info = requestInfo(method, url);
    const entry: JournalEntry = { ...info, at: now() };
    journal.push(entry);
    res.on("finish", () => (entry.code = res.statusCode));
    try {
      if (url.pathname === "/healthz" || url.pathname === "/livez" || url.pathname === "/readyz") {
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" }).end("ok");
        return;
      }
      if (req.headers.authorization !== `Bearer ${token}`) throw unauthorized();
      const delay = ctx.faults.delayFor(info);
      if (delay > 0) await sleep(delay);
      const failure = ctx.faults.failureFor(info);
      if (failure) entry.fault = true;
      const fail = () => {
        if (failure?.drop) res.socket?.destroy();
        else if (failure?.error) throw failure.error;
      };
      if (failure && !failure.after) return fail();
      const plain = info.isResourceRequest ? undefined : nonResource(url.pathname);
      if (!info.isResourceRequest && !plain) throw routeNotFound();
      const handler = plain ? () => plain : pick(info);
      const body =
        method === "POST" || method === "PUT" || method === "PATCH" || method === "DELETE"
          ? await readJson(req)
          : undefined;
      const reply = await handler({ ctx, info, body, contentType: req.headers["content-type"], res });
      if ("streamed" in reply) return;
      if (failure) return fail();
      sendJson(res, reply.code, reply.body, reply.headers);
    } catch (error) {
      if (error instanceof KubeError) sendError(res, error);
      else {
        console.error("fake-kube: handler failed", error);
        sendError(res, new KubeError(500, "InternalError", `Internal error occurred: ${String(error)}`));
      }
    }
  };
}
