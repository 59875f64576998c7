import { EVENTS } from "../resources.ts";
import { getHandler, listHandler, watchHandler } from "./collection.ts";
import type { KindHandlers } from "./context.ts";

/** core/v1 Events are written by the simulated kubelet and scheduler; clients only read them. */
export const eventHandlers: KindHandlers = {
  list: listHandler(EVENTS),
  watch: watchHandler(EVENTS),
  get: getHandler(EVENTS),
};
