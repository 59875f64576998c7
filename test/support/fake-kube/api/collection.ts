import { keyOf, type ResourceDef } from "../resources.ts";
import { matchesFields, parseFieldSelector } from "../selectors/field-selector.ts";
import { matchesLabels, parseLabelSelector } from "../selectors/label-selector.ts";
import { badRequest, expired } from "../status.ts";
import type { KubeObject } from "../types.ts";
import { ok, type Handler } from "./context.ts";

interface ContinueToken {
  rv: number;
  start: string;
}

const truthy = (v: string | undefined) => v === "true" || v === "1";

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as ContinueToken;
    if (typeof parsed.rv === "number" && typeof parsed.start === "string") return parsed;
  } catch {
    // fall through to the 400 below
  }
  throw badRequest(
    "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
  );
}

const withoutTypeMeta = ({ apiVersion: _a, kind: _k, ...rest }: KubeObject) => rest;

/** GET on a collection: label and field selectors, `limit` and `continue`; items carry no kind/apiVersion. */
export const listHandler =
  (def: ResourceDef): Handler =>
  ({ ctx, info }) => {
    const labels = parseLabelSelector(info.query.labelSelector);
    const fields = parseFieldSelector(info.query.fieldSelector, def.fields);
    const limit = Number(info.query.limit ?? 0);
    let rv = ctx.store.resourceVersion;
    let start = "";
    if (info.query.continue) {
      const token = decodeContinue(info.query.continue);
      if (token.rv < ctx.store.compactedRv(def)) {
        throw expired(
          "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
        );
      }
      rv = token.rv;
      start = token.start;
    }
    const matching = ctx.store
      .list(def, info.namespace)
      .filter((o) => keyOf(o.metadata.namespace, o.metadata.name ?? "") > start)
      .filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o, def.fields));
    const page = limit > 0 ? matching.slice(0, limit) : matching;
    const remaining = matching.length - page.length;
    const last = page.at(-1);
    const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
    if (remaining > 0 && last) {
      const token: ContinueToken = { rv, start: keyOf(last.metadata.namespace, last.metadata.name ?? "") };
      metadata.continue = Buffer.from(JSON.stringify(token)).toString("base64url");
      metadata.remainingItemCount = remaining;
    }
    return ok({
      kind: def.listKind,
      apiVersion: def.group ? `${def.group}/${def.version}` : def.version,
      metadata,
      items: page.map(withoutTypeMeta),
    });
  };

/** GET with `watch=true`: a stream from the hub. */
export const watchHandler =
  (def: ResourceDef): Handler =>
  ({ ctx, info, res }) => {
    const timeout = info.query.timeoutSeconds;
    ctx.hub.serve(
      {
        def,
        ...(info.namespace !== undefined ? { namespace: info.namespace } : {}),
        labels: parseLabelSelector(info.query.labelSelector),
        fields: [
          ...parseFieldSelector(info.query.fieldSelector, def.fields),
          ...(info.name ? [{ field: "metadata.name", op: "=" as const, value: info.name }] : []),
        ],
        ...(info.query.resourceVersion !== undefined ? { resourceVersion: info.query.resourceVersion } : {}),
        allowBookmarks: truthy(info.query.allowWatchBookmarks),
        sendInitialEvents: truthy(info.query.sendInitialEvents),
        ...(timeout !== undefined && Number(timeout) > 0 ? { timeoutSeconds: Number(timeout) } : {}),
      },
      res,
    );
    return { streamed: true };
  };

export const getHandler =
  (def: ResourceDef): Handler =>
  ({ ctx, info }) =>
    ok(ctx.store.mustGet(def, info.namespace, info.name ?? ""));
