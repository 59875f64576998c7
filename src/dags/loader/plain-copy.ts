import { types } from "node:util";

/** What plainCopy gives for a value that JSON would not carry unchanged. */
export const NOT_PLAIN = Symbol("not plain");

/** Deeper than any DAG: nesting past this is left to the loader's own validation. */
const MAX_DEPTH = 64;

/**
 * A copy of `value` made of plain objects, arrays, strings, finite numbers, booleans and null, or
 * NOT_PLAIN when JSON would not carry it unchanged to the daemon: undefined, NaN, ±Infinity, -0,
 * functions, Dates and other class instances, proxies, cycles, enumerable symbol keys, keys zod
 * reads but JSON skips (non-enumerable own keys, enumerable keys inherited from a polluted
 * Object.prototype). The schema then gives for the copy exactly what it gives for the value, so
 * the daemon can validate the copy alone. Each property is read once, so a getter cannot make the
 * copy differ from itself, and what is sent cannot throw while it is serialised.
 */
export function plainCopy(value: unknown): unknown {
  for (const _inherited in {}) return NOT_PLAIN;
  const open = new Set<object>();
  const copy = (item: unknown, depth: number): unknown => {
    switch (typeof item) {
      case "string":
      case "boolean":
        return item;
      case "number":
        return Number.isFinite(item) && !Object.is(item, -0) ? item : NOT_PLAIN;
      case "object":
        break;
      default:
        return NOT_PLAIN;
    }
    if (item === null) return null;
    if (depth > MAX_DEPTH || open.has(item) || types.isProxy(item)) return NOT_PLAIN;
    open.add(item);
    const result = Array.isArray(item) ? copyArray(item, depth) : copyObject(item, depth);
    open.delete(item);
    return result;
  };
  const copyArray = (array: unknown[], depth: number): unknown => {
    if (Object.getPrototypeOf(array) !== Array.prototype) return NOT_PLAIN;
    const out: unknown[] = new Array(array.length);
    for (let i = 0; i < array.length; i++) {
      const item = copy(array[i], depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      out[i] = item;
    }
    return out;
  };
  const copyObject = (object: object, depth: number): unknown => {
    const prototype: unknown = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) return NOT_PLAIN;
    const keys = Object.keys(object);
    if (Object.getOwnPropertyNames(object).length !== keys.length) return NOT_PLAIN;
    for (const symbol of Object.getOwnPropertySymbols(object))
      if (Object.prototype.propertyIsEnumerable.call(object, symbol)) return NOT_PLAIN;
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const item = copy((object as Record<string, unknown>)[key], depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      // A key "__proto__" stays an own property, as JSON.parse makes it in the daemon.
      if (key === "__proto__")
        Object.defineProperty(out, key, {
          value: item,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = item;
    }
    return out;
  };
  return copy(value, 0);
}
