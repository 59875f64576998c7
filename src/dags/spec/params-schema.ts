import { z } from "zod";

/**
 * Typed params of a DAG (`dag({ params: { region: { type: "string", enum: ["eu","us"] } } })`):
 * the declaration's schema, the conf check a trigger goes through, and the JSON Schema the API
 * shows. Stored as a list (not an object keyed by name), so no param name is ever used to index
 * a plain object.
 *
 * SCAFFOLD: the params issue (#15 point 5) fills this in; until then any declaration is refused
 * and `resolveConf` passes the conf through.
 */
export type ParamType = "string" | "number" | "integer" | "boolean" | "date" | "datetime" | "array";

export interface ParamSpec {
  name: string;
  type: ParamType;
  description?: string;
  required: boolean;
  default?: unknown;
  enum?: ReadonlyArray<string | number>;
  minimum?: number;
  maximum?: number;
}

export const paramsSchema = z
  .record(z.string(), z.unknown())
  .default({})
  .transform((params): ParamSpec[] =>
    Object.keys(params).map((name) => ({ name, type: "string", required: false })),
  );

/** The inverse of paramsSchema's transform (see recheck-definition.ts): the list back to `{ [name]: spec }`. */
export function paramsInput(params: unknown): unknown {
  if (!Array.isArray(params)) return params;
  const input: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const param of params as unknown[]) {
    if (typeof param !== "object" || param === null) return params;
    const { name, required: _required, type: _type, ...rest } = param as Record<string, unknown>;
    if (typeof name !== "string") return params;
    input[name] = rest;
  }
  return input;
}

/** A conf checked against a DAG's params, with defaults filled in; or one problem per bad field. */
export type ResolvedConf = { ok: true; conf: Record<string, unknown> } | { ok: false; problems: string[] };

/** Checks `conf` against `params` and fills in defaults (for triggers, backfills and scheduled runs). */
export function resolveConf(params: readonly ParamSpec[], conf: Record<string, unknown>): ResolvedConf {
  void params;
  return { ok: true, conf };
}
