import { POD_FIELD_TYPES } from "./core-v1-pod-fields.ts";
import { ENUMS, mapRule, nameRule, QUANTITY_FIELDS, quantityError, RANGES } from "./pod-rules.ts";

export type FieldPath = Array<string | number>;

/** One thing Kubernetes would refuse in a Pod, at a field path (`spec.containers[0].image`). */
export interface PodProblem {
  path: FieldPath;
  message: string;
}

/**
 * `partial`: a piece to be merged (a template, a podOverride): only what is there is checked.
 * `complete`: the Pod as it will be created: required fields and references between fields too.
 */
export type PodCheckMode = "partial" | "complete";

const FIELDS = new Map(
  Object.entries(POD_FIELD_TYPES).map(([type, fields]) => [type, new Map(Object.entries(fields))]),
);
const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
/** How deep a free-form value may nest; far beyond real fieldsV1, far below the stack's limit. */
const MAX_FREE_FORM_DEPTH = 100;
/** Lists whose items carry the `name` they are merged by; a name is required there. */
const NAMED_ITEMS = new Set(["V1Container", "V1EphemeralContainer", "V1Volume", "V1EnvVar", "V1VolumeMount"]);

/**
 * Checks `value` against the core/v1 Pod schema with no cluster: unknown fields, wrong types,
 * enum values, quantities, names and label syntax, and in `complete` mode what kube-apiserver's
 * validation adds (required fields, unique container and volume names, mounts of declared volumes).
 */
export function podProblems(value: unknown, mode: PodCheckMode): PodProblem[] {
  const problems: PodProblem[] = [];
  walk(value, "V1Pod", [], problems);
  if (mode === "complete" && problems.length === 0) problems.push(...completenessProblems(value));
  return problems;
}

/**
 * What a type name of POD_FIELD_TYPES stands for, worked out once per name: the daemon checks the
 * Pod of every task of every DAG it loads (40,000 at 10,000 DAGs).
 */
type Shape =
  | { kind: "array"; item: string }
  | { kind: "map" }
  | { kind: "scalar" }
  | { kind: "object"; fields: ReadonlyMap<string, { type: string; field: string }>; named: boolean };

const SHAPES = new Map<string, Shape>();

function shapeOf(type: string): Shape {
  let shape = SHAPES.get(type);
  if (shape) return shape;
  const array = ARRAY.exec(type);
  const fields = FIELDS.get(type);
  shape = array
    ? { kind: "array", item: array[1] ?? "" }
    : MAP.test(type)
      ? { kind: "map" }
      : fields && !SCALARS.has(type)
        ? {
            kind: "object",
            named: NAMED_ITEMS.has(type),
            fields: new Map(
              [...fields].map(([key, itemType]) => [key, { type: itemType, field: `${type}.${key}` }]),
            ),
          }
        : { kind: "scalar" };
  SHAPES.set(type, shape);
  return shape;
}

const SCALARS = new Set(["string", "number", "boolean", "Date", "IntOrString", "any"]);

/**
 * `path` is the field path of `value`, pushed and popped as the walk goes: a problem takes a copy,
 * so a valid Pod (nearly all of them) allocates no path at all.
 */
function walk(value: unknown, type: string, path: FieldPath, problems: PodProblem[], field = ""): void {
  const fail = (message: string): void => void problems.push({ path: [...path], message });
  if (value === null || value === undefined) return;
  const shape = shapeOf(type);
  if (shape.kind === "array") {
    if (!Array.isArray(value)) return fail(`must be a list, not ${describe(value)}`);
    value.forEach((item, i) => {
      path.push(i);
      walk(item, shape.item, path, problems, field);
      path.pop();
    });
    return;
  }
  if (shape.kind === "map") return walkMap(value, path, problems, field);
  switch (type) {
    case "string":
      if (QUANTITY_FIELDS.has(field) && (typeof value === "string" || typeof value === "number")) {
        const problem = quantityError(value);
        return problem ? fail(problem) : undefined;
      }
      if (typeof value !== "string") return fail(`must be a string, not ${describe(value)}`);
      return checkString(value, field, fail);
    case "number": {
      if (typeof value !== "number" || !Number.isInteger(value))
        return fail(`must be a whole number, not ${describe(value)}`);
      const range = RANGES.get(field);
      if (range && (value < range[0] || value > range[1]))
        fail(`${value} must be between ${range[0]} and ${range[1]}`);
      return;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : fail(`must be true or false, not ${describe(value)}`);
    case "Date":
      return typeof value === "string" ? undefined : fail(`must be a time as text, not ${describe(value)}`);
    case "IntOrString":
      return typeof value === "string" || Number.isInteger(value)
        ? undefined
        : fail(`must be a whole number or a name, not ${describe(value)}`);
    case "any":
      // Free-form (managedFields' fieldsV1): merged and copied recursively later, so bounded here.
      return deeperThan(value, MAX_FREE_FORM_DEPTH)
        ? fail(`is nested deeper than ${MAX_FREE_FORM_DEPTH} levels`)
        : undefined;
  }
  if (shape.kind !== "object") return;
  if (typeof value !== "object" || Array.isArray(value))
    return fail(`must be an object (${typeName(type)}), not ${describe(value)}`);
  const record = value as Record<string, unknown>;
  if (shape.named && typeof record.name !== "string")
    problems.push({ path: [...path, "name"], message: "is required" });
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const item = record[key];
    const known = shape.fields.get(key);
    if (known === undefined) {
      problems.push({
        path: [...path, key],
        message: unknownField(key, type, FIELDS.get(type) ?? new Map()),
      });
      continue;
    }
    path.push(key);
    walk(item, known.type, path, problems, known.field);
    path.pop();
  }
}

function walkMap(value: unknown, path: FieldPath, problems: PodProblem[], field: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push({ path: [...path], message: `must be a map of names to values, not ${describe(value)}` });
    return;
  }
  const rule = mapRule(field);
  const quantities = QUANTITY_FIELDS.has(field);
  for (const [key, item] of Object.entries(value)) {
    const at = () => [...path, key];
    const keyProblem = rule?.key(key);
    if (keyProblem) problems.push({ path: at(), message: `key ${JSON.stringify(key)} ${keyProblem}` });
    if (quantities && (typeof item === "string" || typeof item === "number")) {
      const problem = quantityError(item);
      if (problem) problems.push({ path: at(), message: problem });
      continue;
    }
    if (typeof item !== "string") {
      problems.push({ path: at(), message: `must be a string, not ${describe(item)}` });
      continue;
    }
    const valueProblem = rule?.value?.(item);
    if (valueProblem) problems.push({ path: at(), message: `${JSON.stringify(item)} ${valueProblem}` });
  }
}

function checkString(value: string, field: string, fail: (message: string) => void): void {
  const allowed = ENUMS.get(field);
  if (allowed && !allowed.includes(value))
    return fail(`${JSON.stringify(value)} is not one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}`);
  const problem = nameRule(field)?.(value);
  if (problem) fail(`${JSON.stringify(value)} ${problem}`);
}

/** What kube-apiserver refuses in a whole Pod beyond each field on its own. */
function completenessProblems(pod: unknown): PodProblem[] {
  const problems: PodProblem[] = [];
  const spec = objectAt(pod, "spec");
  if (!objectAt(pod, "metadata") || typeof objectAt(pod, "metadata")?.name !== "string")
    problems.push({ path: ["metadata", "name"], message: "is required" });
  const containers = listAt(spec, "containers");
  if (containers.length === 0)
    problems.push({ path: ["spec", "containers"], message: "must hold at least one container" });
  const volumes = new Set<string>();
  listAt(spec, "volumes").forEach((volume, i) => {
    const name = objectAt(volume)?.name;
    if (typeof name !== "string") return;
    if (volumes.has(name))
      problems.push({ path: ["spec", "volumes", i, "name"], message: `duplicate volume name "${name}"` });
    volumes.add(name);
  });
  if (listAt(spec, "ephemeralContainers").length > 0)
    problems.push({
      path: ["spec", "ephemeralContainers"],
      message: "cannot be set when a Pod is created (kubectl debug adds them later)",
    });
  const names = new Set<string>();
  for (const list of ["initContainers", "containers", "ephemeralContainers"] as const) {
    listAt(spec, list).forEach((item, i) => {
      const container = objectAt(item) ?? {};
      const at: FieldPath = ["spec", list, i];
      const name = container.name;
      if (typeof name === "string") {
        if (names.has(name))
          problems.push({ path: [...at, "name"], message: `duplicate container name "${name}"` });
        names.add(name);
      }
      if (typeof container.image !== "string" || container.image === "")
        problems.push({ path: [...at, "image"], message: "is required" });
      if (container.restartPolicy !== undefined && list !== "initContainers")
        problems.push({
          path: [...at, "restartPolicy"],
          message: "may only be set on init containers (native sidecars)",
        });
      // Merging a template's or an override's valueFrom over a string value keeps both.
      listAt(container, "env").forEach((entry, e) => {
        const variable = objectAt(entry);
        if (variable?.valueFrom !== undefined && typeof variable.value === "string" && variable.value !== "")
          problems.push({
            path: [...at, "env", e, "valueFrom"],
            message: "may not be set when `value` is not empty (give `value: null` to drop the task's value)",
          });
      });
      listAt(container, "volumeMounts").forEach((mount, m) => {
        const mountName = objectAt(mount)?.name;
        if (typeof mountName === "string" && !volumes.has(mountName)) {
          const known = volumes.size ? [...volumes].join(", ") : "none declared";
          problems.push({
            path: [...at, "volumeMounts", m, "name"],
            message: `"${mountName}" is not one of the Pod's volumes (${known})`,
          });
        }
        if (typeof objectAt(mount)?.mountPath !== "string")
          problems.push({ path: [...at, "volumeMounts", m, "mountPath"], message: "is required" });
      });
    });
  }
  return problems;
}

/** Whether objects and lists nest deeper than `limit` in `value`; iterative, so any depth is safe. */
function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [item, depth] = next;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= limit) return true;
    for (const inner of Object.values(item)) stack.push([inner, depth + 1]);
  }
  return false;
}

function objectAt(value: unknown, key?: string): Record<string, unknown> | undefined {
  const inner =
    key === undefined
      ? value
      : isRecord(value)
        ? Object.getOwnPropertyDescriptor(value, key)?.value
        : undefined;
  return isRecord(inner) ? inner : undefined;
}

function listAt(value: unknown, key: string): unknown[] {
  const inner = isRecord(value) ? Object.getOwnPropertyDescriptor(value, key)?.value : undefined;
  return Array.isArray(inner) ? inner : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unknownField(key: string, type: string, fields: ReadonlyMap<string, string>): string {
  const near = [...fields.keys()].find(
    (known) => known.toLowerCase() === key.toLowerCase() || distance(known, key) <= 2,
  );
  return `is not a field of ${typeName(type)}${near ? ` (did you mean "${near}"?)` : ""}`;
}

function typeName(type: string): string {
  return type.replace(/^(V1|CoreV1)/, "");
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

/** Levenshtein distance, for "did you mean" on short field names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
