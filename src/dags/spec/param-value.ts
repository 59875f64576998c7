import { DateTime } from "luxon";
import type { ParamSpec, ParamType } from "./params-schema.ts";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** RFC 3339's ranges (hour 00-23, offset within ±23:59): luxon alone reads `T24:00` and `+99:99`. */
const DATETIME =
  /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
/** How much of a bad value a message quotes: values come from users, messages stay short. */
const QUOTE_CHARS = 60;
/** How many of an enum's values a message lists (an enum may hold 1,000). */
const LISTED_VALUES = 10;

/** The words for "a value of this type", as problems say them. */
const TYPE_WORDS: Record<ParamType, string> = {
  string: "a string",
  number: "a number",
  integer: "an integer",
  boolean: "true or false",
  date: "a date (YYYY-MM-DD)",
  datetime: 'an ISO 8601 date-time with an offset or Z (e.g. "2026-11-01T06:00:00Z")',
  array: "a list of strings",
};

/** Whether `value` is of the param type `type` (ignoring enum and bounds). */
export function hasParamType(type: ParamType, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "integer":
      return Number.isSafeInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "date":
      return typeof value === "string" && DATE.test(value) && DateTime.fromISO(value).isValid;
    case "datetime":
      return typeof value === "string" && DATETIME.test(value) && DateTime.fromISO(value).isValid;
    case "array":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
  }
}

export function typeWords(type: ParamType): string {
  return TYPE_WORDS[type];
}

/**
 * What is wrong with `value` as the param `spec`, as `must be an integer ≥ 1, got 0`; undefined
 * when it fits. Work is bounded by the value's size (arrays are walked once).
 */
export function paramValueProblem(spec: ParamSpec, value: unknown): string | undefined {
  if (spec.enum !== undefined) {
    if (spec.enum.some((allowed) => allowed === value)) return undefined;
    const listed = spec.enum.slice(0, LISTED_VALUES).map(quoteValue).join(", ");
    const more = spec.enum.length > LISTED_VALUES ? `, … (${spec.enum.length} values)` : "";
    return `must be one of ${listed}${more}, got ${quoteValue(value)}`;
  }
  const bounds = boundWords(spec);
  if (!hasParamType(spec.type, value))
    return `must be ${typeWords(spec.type)}${bounds}, got ${quoteValue(value)}`;
  if (typeof value === "number") {
    if (
      (spec.minimum !== undefined && value < spec.minimum) ||
      (spec.maximum !== undefined && value > spec.maximum)
    )
      return `must be ${typeWords(spec.type)}${bounds}, got ${quoteValue(value)}`;
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (spec.minLength !== undefined && length < spec.minLength)
      return `must be at least ${spec.minLength} characters long, got ${quoteValue(value)}`;
    if (spec.maxLength !== undefined && length > spec.maxLength)
      return `must be at most ${spec.maxLength} characters long, got ${quoteValue(value)}`;
  }
  return undefined;
}

/** ` ≥ 1 and ≤ 10`, or nothing without bounds. */
function boundWords(spec: ParamSpec): string {
  const parts: string[] = [];
  if (spec.minimum !== undefined) parts.push(`≥ ${spec.minimum}`);
  if (spec.maximum !== undefined) parts.push(`≤ ${spec.maximum}`);
  return parts.length === 0 ? "" : ` ${parts.join(" and ")}`;
}

/** A value as JSON, cut short: `"fr"`, `0`, `["a",1]`, `"xxxx…" (10000 characters)`. */
export function quoteValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string" && value.length > QUOTE_CHARS)
    return `${JSON.stringify(value.slice(0, QUOTE_CHARS))}… (${value.length} characters)`;
  if (typeof value === "object" && value !== null) {
    // A conf is bounded by the body limit, but a message quotes only its start.
    const text = safeJson(value);
    return text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS)}…` : text;
  }
  return safeJson(value);
}

/** JSON text, or String() for what JSON cannot say (a bigint, a cycle). */
function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
