import { z } from "zod";
import { hasParamType, paramValueProblem, quoteValue, typeWords } from "./param-value.ts";

/**
 * Typed params of a DAG (`dag({ params: { region: { type: "string", enum: ["eu","us"] } } })`):
 * the declaration's schema and the conf check a trigger goes through. Stored as a list (not an
 * object keyed by name), so no param name is ever used to index a plain object.
 */
export type ParamType = "string" | "number" | "integer" | "boolean" | "date" | "datetime" | "array";

export const PARAM_TYPES: readonly ParamType[] = [
  "string",
  "number",
  "integer",
  "boolean",
  "date",
  "datetime",
  "array",
];

export interface ParamSpec {
  name: string;
  type: ParamType;
  description?: string;
  required: boolean;
  default?: unknown;
  enum?: ReadonlyArray<string | number>;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
}

/** Params a DAG may declare: each is a form field and a check on every trigger. */
export const MAX_PARAMS = 100;
const MAX_ENUM_VALUES = 1000;
const PARAM_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/;

const common = {
  type: z.string(),
  description: z.string().max(10_000).optional(),
  required: z.boolean().optional(),
  default: z.unknown().optional(),
};
const enumValues = z
  .array(z.union([z.string(), z.number()]))
  .max(MAX_ENUM_VALUES)
  .optional();
const bound = z.number().refine(Number.isFinite, "must be a finite number").optional();
const length = z.number().int().min(0).optional();
/** The keys each type accepts; anything else is refused with the key named. */
const declarations = new Map<string, z.ZodType<Partial<ParamSpec>>>([
  ["string", z.strictObject({ ...common, enum: enumValues, minLength: length, maxLength: length })],
  ["number", z.strictObject({ ...common, enum: enumValues, minimum: bound, maximum: bound })],
  ["integer", z.strictObject({ ...common, enum: enumValues, minimum: bound, maximum: bound })],
  ["boolean", z.strictObject(common)],
  ["date", z.strictObject(common)],
  ["datetime", z.strictObject(common)],
  ["array", z.strictObject(common)],
] as Array<[ParamType, z.ZodType<Partial<ParamSpec>>]>);

/**
 * `params: { name: { type, … } }` checked strictly (unknown keys, empty enums, a default that does
 * not fit are errors at `params.<name>.<key>`) and turned into a list of ParamSpec.
 */
export const paramsSchema = z
  .unknown()
  .optional()
  .transform((input, ctx): ParamSpec[] => {
    if (input === undefined) return [];
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      ctx.addIssue({ code: "custom", message: "must be an object of params by name" });
      return z.NEVER;
    }
    const entries = Object.entries(input);
    if (entries.length > MAX_PARAMS) {
      ctx.addIssue({
        code: "custom",
        message: `at most ${MAX_PARAMS} params may be declared, got ${entries.length}`,
      });
      return z.NEVER;
    }
    const specs: ParamSpec[] = [];
    for (const [name, declaration] of entries) {
      const problem = (message: string, ...path: PropertyKey[]) =>
        ctx.addIssue({ code: "custom", path: [name, ...path], message });
      if (!PARAM_NAME.test(name)) {
        problem("a param name must be an identifier (letters, digits, _; not starting with a digit)");
        continue;
      }
      const spec = paramSpec(name, declaration, problem, ctx);
      if (spec) specs.push(spec);
    }
    return specs;
  });

type Problem = (message: string, ...path: PropertyKey[]) => void;

function paramSpec(
  name: string,
  declaration: unknown,
  problem: Problem,
  ctx: z.RefinementCtx,
): ParamSpec | undefined {
  if (typeof declaration !== "object" || declaration === null || Array.isArray(declaration)) {
    problem('must be an object such as { type: "string" }');
    return undefined;
  }
  const type: unknown = (declaration as { type?: unknown }).type;
  const schema = typeof type === "string" ? declarations.get(type) : undefined;
  if (!schema) {
    problem(
      `must be one of ${PARAM_TYPES.map((t) => JSON.stringify(t)).join(", ")}, got ${quoteValue(type)}`,
      "type",
    );
    return undefined;
  }
  const parsed = schema.safeParse(declaration);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ ...issue, code: "custom", path: [name, ...issue.path], message: issue.message });
    return undefined;
  }
  const { required, default: fallback, ...rest } = parsed.data;
  // Only the keys that are set: the definition crosses processes as JSON and is compared deeply.
  const spec: ParamSpec = {
    ...definedOnly(rest),
    name,
    type: type as ParamType,
    required: required ?? false,
  };
  const problems = specProblems(spec);
  for (const { message, path } of problems) problem(message, ...path);
  if (problems.length > 0) return undefined;
  if (fallback !== undefined) {
    const bad = paramValueProblem(spec, fallback);
    if (bad) {
      problem(bad, "default");
      return undefined;
    }
    spec.default = fallback;
  }
  // As JSON gives it back (-0 becomes 0): the loader's recheck compares after a JSON round trip.
  return JSON.parse(JSON.stringify(spec)) as ParamSpec;
}

/** What is wrong with a declaration beyond its keys' types: its enum and its bounds. */
function specProblems(spec: ParamSpec): Array<{ message: string; path: PropertyKey[] }> {
  const problems: Array<{ message: string; path: PropertyKey[] }> = [];
  if (spec.enum !== undefined) {
    if (spec.enum.length === 0) problems.push({ message: "must list at least one value", path: ["enum"] });
    const seen = new Set<string | number>();
    spec.enum.forEach((value, index) => {
      if (!hasParamType(spec.type, value))
        problems.push({
          message: `must be ${typeWords(spec.type)} (the param's type), got ${quoteValue(value)}`,
          path: ["enum", index],
        });
      else if (seen.has(value))
        problems.push({ message: `lists ${quoteValue(value)} twice`, path: ["enum"] });
      seen.add(value);
    });
  }
  if (spec.minimum !== undefined && spec.maximum !== undefined && spec.maximum < spec.minimum)
    problems.push({ message: `must be ≥ minimum (${spec.minimum})`, path: ["maximum"] });
  if (spec.minLength !== undefined && spec.maxLength !== undefined && spec.maxLength < spec.minLength)
    problems.push({ message: `must be ≥ minLength (${spec.minLength})`, path: ["maxLength"] });
  return problems;
}

/**
 * A record without a prototype (a copy of `entries`' own keys): param names and conf keys come
 * from DAG files and users, and `__proto__` or `constructor` must stay ordinary keys.
 */
export function nameRecord<T>(entries?: Readonly<Record<string, T>>): Record<string, T> {
  const record = Object.create(null) as Record<string, T>;
  if (entries) for (const [key, value] of Object.entries(entries)) record[key] = value;
  return record;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Why a DAG with `schedule` cannot have these params: a scheduled run gets only the defaults, so
 * a required param without one could never be filled (Airflow refuses such a DAG too).
 */
export function scheduledParamsProblems(
  params: readonly ParamSpec[],
): Array<{ name: string; message: string }> {
  return params
    .filter((param) => param.required && !("default" in param))
    .map((param) => ({
      name: param.name,
      message:
        "is required and has no default, so scheduled runs could not fill it: give it a default, or set schedule: null",
    }));
}

/** The inverse of paramsSchema's transform (see recheck-definition.ts): the list back to `{ [name]: spec }`. */
export function paramsInput(params: unknown): unknown {
  if (!Array.isArray(params)) return params;
  const input = nameRecord<unknown>();
  for (const param of params as unknown[]) {
    if (typeof param !== "object" || param === null) return params;
    const { name, ...rest } = param as Record<string, unknown>;
    if (typeof name !== "string") return params;
    input[name] = rest;
  }
  return input;
}

/** A conf checked against a DAG's params, with defaults filled in; or one problem per bad field. */
export type ResolvedConf = { ok: true; conf: Record<string, unknown> } | { ok: false; problems: string[] };

/**
 * Checks `conf` against `params` and fills in defaults (for triggers, backfills and scheduled
 * runs). Keys no param declares are kept as they are (Airflow allows extra conf); without params
 * the conf passes through unchanged. Problems come in declaration order, one per bad field.
 */
export function resolveConf(params: readonly ParamSpec[], conf: Record<string, unknown>): ResolvedConf {
  if (params.length === 0) return { ok: true, conf };
  const resolved = nameRecord(conf);
  const problems: string[] = [];
  for (const param of params) {
    if (Object.hasOwn(conf, param.name)) {
      const problem = paramValueProblem(param, conf[param.name]);
      if (problem) problems.push(`conf.${param.name}: ${problem}`);
    } else if ("default" in param) resolved[param.name] = structuredClone(param.default);
    else if (param.required) problems.push(`conf.${param.name}: is required`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, conf: resolved };
}

/** The conf of a run nobody gave one to (scheduled, catch-up): the params' defaults. */
export function paramDefaults(params: readonly ParamSpec[]): Record<string, unknown> {
  const conf = nameRecord<unknown>();
  for (const param of params) if ("default" in param) conf[param.name] = structuredClone(param.default);
  return conf;
}
