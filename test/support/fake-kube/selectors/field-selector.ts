import { badRequest } from "../status.ts";
import type { KubeObject } from "../types.ts";

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Reads the fields a kind can be selected on; the real server answers 400 for any other field. */
export type FieldGetters = Record<string, (obj: KubeObject) => string | undefined>;

export function parseFieldSelector(selector: string | undefined, getters: FieldGetters): FieldRequirement[] {
  if (!selector || selector.trim() === "") return [];
  return selector.split(",").map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const field = m[1] ?? "";
    if (!(field in getters)) throw badRequest(`field label not supported: ${field}`);
    return { field, op: m[2] === "!=" ? "!=" : "=", value: m[3] ?? "" };
  });
}

export function matchesFields(
  requirements: FieldRequirement[],
  obj: KubeObject,
  getters: FieldGetters,
): boolean {
  return requirements.every((r) => {
    const actual = getters[r.field]?.(obj) ?? "";
    return r.op === "=" ? actual === r.value : actual !== r.value;
  });
}
