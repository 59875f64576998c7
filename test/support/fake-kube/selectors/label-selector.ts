import { badRequest } from "../status.ts";
import { labelValue, qualifiedName } from "../validation/names.ts";

/** One requirement of a label selector, as k8s.io/apimachinery/pkg/labels parses it. */
export type Requirement =
  | { key: string; op: "exists" | "!exists" }
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "gt" | "lt"; value: number };

export type LabelSelector = Requirement[];

const fail = (why: string) => badRequest(`unable to parse requirement: ${why}`);

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of selector) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

function checkKey(key: string): string {
  const problems = qualifiedName(key);
  if (problems.length > 0) throw fail(`key: Invalid value: ${JSON.stringify(key)}: ${problems.join("; ")}`);
  return key;
}

function checkValue(value: string): string {
  const problems = labelValue(value);
  if (problems.length > 0) {
    throw fail(`values[0][${value}]: Invalid value: ${JSON.stringify(value)}: ${problems.join("; ")}`);
  }
  return value;
}

/** Parses `a=b,c!=d,e,!f,g in (x,y),h notin (z)`; a malformed selector is a 400 like the real server's. */
export function parseLabelSelector(selector: string | undefined): LabelSelector {
  if (!selector || selector.trim() === "") return [];
  return splitTopLevel(selector).map((part): Requirement => {
    let m: RegExpExecArray | null;
    if ((m = /^!\s*([^\s=!<>(),]+)$/.exec(part))) return { key: checkKey(m[1] ?? ""), op: "!exists" };
    if ((m = /^([^\s=!<>(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part))) {
      const values = (m[3] ?? "")
        .split(",")
        .map((v) => v.trim())
        .map((v) => checkValue(v));
      return { key: checkKey(m[1] ?? ""), op: m[2] === "in" ? "in" : "notin", values };
    }
    if ((m = /^([^\s=!<>(),]+)\s*(==|=|!=)\s*([^\s=!<>(),]*)$/.exec(part))) {
      const op = m[2] === "!=" ? "!=" : "=";
      return { key: checkKey(m[1] ?? ""), op, value: checkValue(m[3] ?? "") };
    }
    if ((m = /^([^\s=!<>(),]+)\s*([<>])\s*(-?\d+)$/.exec(part))) {
      return { key: checkKey(m[1] ?? ""), op: m[2] === ">" ? "gt" : "lt", value: Number(m[3]) };
    }
    if ((m = /^([^\s=!<>(),]+)$/.exec(part))) return { key: checkKey(m[1] ?? ""), op: "exists" };
    throw fail(`found '${part}', expected: identifier, '!', 'in', 'notin', '=', '==', '!=', 'gt', 'lt'`);
  });
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    const value = l[r.key];
    switch (r.op) {
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "=":
        return has && value === r.value;
      case "!=":
        return !has || value !== r.value;
      case "in":
        return has && r.values.includes(value ?? "");
      case "notin":
        return !has || !r.values.includes(value ?? "");
      case "gt":
        return has && Number(value) > r.value;
      case "lt":
        return has && Number(value) < r.value;
    }
  });
}
