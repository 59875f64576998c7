import type { ServerResponse } from "node:http";
import type { Faults } from "../faults.ts";
import type { LogStore } from "../logs/log-store.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { WatchHub } from "../store/watch-hub.ts";
import type { RequestInfo } from "./request-info.ts";

/** What every handler can reach. */
export interface ApiContext {
  store: ObjectStore;
  hub: WatchHub;
  faults: Faults;
  logs: LogStore;
  /** Creating a pod in an unknown namespace is a 404 (otherwise the namespace springs into being). */
  strictNamespaces: boolean;
}

/** A handler's answer: JSON with a code, or "already answered" for streams. */
export type Reply = { code: number; body: unknown; headers?: Record<string, string> } | { streamed: true };

export interface HandlerArgs {
  ctx: ApiContext;
  info: RequestInfo;
  body: unknown;
  contentType: string | undefined;
  res: ServerResponse;
}

export type Handler = (args: HandlerArgs) => Reply | Promise<Reply>;

/** The verbs one kind answers (a missing verb is a 405), and its subresources. */
export interface KindHandlers {
  list?: Handler;
  watch?: Handler;
  get?: Handler;
  create?: Handler;
  update?: Handler;
  patch?: Handler;
  delete?: Handler;
  subresources?: Record<string, Partial<Record<"get" | "create" | "update", Handler>>>;
}

export const ok = (body: unknown, code = 200, headers?: Record<string, string>): Reply => ({
  code,
  body,
  ...(headers ? { headers } : {}),
});
