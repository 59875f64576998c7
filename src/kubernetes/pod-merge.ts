/**
 * Lists whose items are matched by `name` when merged (containers, volumes, env, ...); every other
 * list is replaced as a whole. Documented in docs/writing-dags.md ("Pod template and podOverride").
 */
export const NAMED_LISTS: ReadonlySet<string> = new Set([
  "containers",
  "initContainers",
  "ephemeralContainers",
  "volumes",
  "env",
  "volumeMounts",
  "ports",
  "imagePullSecrets",
  "resourceClaims",
]);

/**
 * `over` laid on `base`, as a template is under a task's Pod and a Pod under its podOverride:
 * objects (maps) are merged key by key, `null` removes a key, items of NAMED_LISTS are merged by
 * name (new names appended, in order; items without a name appended), other lists and scalars are
 * replaced. Neither argument is changed.
 */
export function mergePod<T>(base: T, over: unknown): T {
  return mergeValue(base, over, "") as T;
}

function mergeValue(base: unknown, over: unknown, key: string): unknown {
  if (over === undefined) return copy(base);
  if (isRecord(base) && isRecord(over)) return mergeObjects(base, over);
  if (Array.isArray(base) && Array.isArray(over) && NAMED_LISTS.has(key)) return mergeNamed(base, over, key);
  return copy(over);
}

function mergeObjects(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) define(merged, key, copy(value));
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete merged[key];
    else define(merged, key, mergeValue(Object.getOwnPropertyDescriptor(merged, key)?.value, value, key));
  }
  return merged;
}

function mergeNamed(base: unknown[], over: unknown[], key: string): unknown[] {
  const merged = base.map(copy);
  const at = new Map<string, number>();
  merged.forEach((item, i) => {
    const name = nameOf(item);
    if (name !== undefined && !at.has(name)) at.set(name, i);
  });
  for (const item of over) {
    const name = nameOf(item);
    const index = name === undefined ? undefined : at.get(name);
    if (index === undefined) {
      if (name !== undefined) at.set(name, merged.length);
      merged.push(copy(item));
    } else merged[index] = mergeValue(merged[index], item, `${key}[]`);
  }
  return merged;
}

function nameOf(item: unknown): string | undefined {
  return isRecord(item) && typeof item.name === "string" ? item.name : undefined;
}

function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (!isRecord(value)) return value;
  const copied: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== null) define(copied, key, copy(item));
  return copied;
}

/** Sets an own property even for a key like `__proto__` (keys come from YAML and DAG files). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
