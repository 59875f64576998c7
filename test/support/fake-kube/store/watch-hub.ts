import type { ServerResponse } from "node:http";
import { apiVersionOf, type ResourceDef } from "../resources.ts";
import { matchesFields, type FieldRequirement } from "../selectors/field-selector.ts";
import { matchesLabels, type LabelSelector } from "../selectors/label-selector.ts";
import { badRequest, expired, KubeError } from "../status.ts";
import type { KubeObject } from "../types.ts";
import type { ObjectStore, StoreEvent } from "./object-store.ts";

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  labels: LabelSelector;
  fields: FieldRequirement[];
  /** `undefined`, `""` or `"0"`: start with ADDED for what exists now. */
  resourceVersion?: string;
  allowBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
}

export interface WatchHubOptions {
  bookmarkIntervalMs: number;
  /** How long a watch without `timeoutSeconds` stays open (the real server: 30 to 60 minutes). */
  defaultTimeoutSeconds: number;
}

interface OpenWatch {
  res: ServerResponse;
  close(abrupt: boolean): void;
}

type WatchType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** Serves `?watch=true` streams: replay from a resourceVersion, live changes, bookmarks, timeouts, cuts. */
export class WatchHub {
  readonly #open = new Set<OpenWatch>();

  constructor(
    private readonly store: ObjectStore,
    private readonly options: WatchHubOptions,
  ) {}

  get openCount(): number {
    return this.#open.size;
  }

  /** Validates the request (throwing a 400 before any header is sent), then streams until closed. */
  serve(request: WatchRequest, res: ServerResponse): void {
    const rvText = request.resourceVersion ?? "";
    const fromNow = rvText === "" || rvText === "0";
    const since = fromNow ? this.store.resourceVersion : Number(rvText);
    if (!Number.isSafeInteger(since) || since < 0) {
      throw badRequest(`invalid resource version "${rvText}": must be a non-negative integer`);
    }
    if (since > this.store.resourceVersion) {
      // A resourceVersion from another server's history (the fake was restarted, say).
      throw new KubeError(
        504,
        "Timeout",
        `Timeout: Too large resource version: ${since}, current: ${this.store.resourceVersion}`,
        {
          causes: [{ reason: "ResourceVersionTooLarge", message: "Too large resource version" }],
          retryAfterSeconds: 1,
        },
      );
    }
    const matches = (o: KubeObject) =>
      (request.namespace === undefined || o.metadata.namespace === request.namespace) &&
      matchesLabels(request.labels, o.metadata.labels) &&
      matchesFields(request.fields, o, request.def.fields);

    res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
    res.flushHeaders();
    const send = (type: WatchType, object: unknown) => {
      if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
    };

    if (!fromNow) {
      const replay = this.store.eventsSince(request.def, since);
      if (!replay) {
        const oldest = this.store.compactedRv(request.def);
        send("ERROR", expired(`too old resource version: ${since} (${oldest + 1})`).status);
        res.end();
        return;
      }
      for (const event of replay) this.#deliver(event, matches, send);
    } else {
      const current = this.store.list(request.def, request.namespace).filter(matches);
      for (const object of current) send("ADDED", object);
      if (request.sendInitialEvents && request.allowBookmarks) {
        send("BOOKMARK", this.#bookmark(request.def, { "k8s.io/initial-events-end": "true" }));
      }
    }

    const unsubscribe = this.store.subscribe((event) => {
      if (event.def === request.def) this.#deliver(event, matches, send);
    });
    const timers: NodeJS.Timeout[] = [];
    if (request.allowBookmarks) {
      timers.push(
        setInterval(() => send("BOOKMARK", this.#bookmark(request.def)), this.options.bookmarkIntervalMs),
      );
    }
    const timeoutMs = (request.timeoutSeconds ?? this.options.defaultTimeoutSeconds) * 1000;
    timers.push(setTimeout(() => open.close(false), timeoutMs));

    const open: OpenWatch = {
      res,
      close: (abrupt) => {
        if (!this.#open.delete(open)) return;
        unsubscribe();
        for (const t of timers) clearTimeout(t);
        if (abrupt) res.socket?.destroy();
        else res.end();
      },
    };
    this.#open.add(open);
    res.on("close", () => open.close(false));
  }

  /** Ends every open watch: cleanly (the client sees the stream end) or by dropping the connection. */
  cutAll(abrupt = false): number {
    const all = [...this.#open];
    for (const w of all) w.close(abrupt);
    return all.length;
  }

  #deliver(event: StoreEvent, matches: (o: KubeObject) => boolean, send: (t: WatchType, o: unknown) => void) {
    const now = matches(event.object);
    const before = event.previous !== undefined && matches(event.previous);
    if (event.type === "ADDED" && now) send("ADDED", event.object);
    else if (event.type === "DELETED" && now) send("DELETED", event.object);
    else if (event.type === "MODIFIED") {
      if (now && before) send("MODIFIED", event.object);
      else if (now) send("ADDED", event.object);
      else if (before) send("DELETED", event.object);
    }
  }

  #bookmark(def: ResourceDef, annotations?: Record<string, string>): KubeObject {
    return {
      kind: def.kind,
      apiVersion: apiVersionOf(def),
      metadata: {
        resourceVersion: String(this.store.resourceVersion),
        creationTimestamp: null as unknown as string,
        ...(annotations ? { annotations } : {}),
      },
    };
  }
}
