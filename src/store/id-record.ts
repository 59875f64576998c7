/**
 * Records keyed by ids that come from users, DAG files or URLs. A plain object would answer an id
 * such as `constructor` or `toString` with an inherited property, and take `__proto__` as its own
 * prototype; a record without a prototype has only the keys put into it.
 */
export type IdRecord<T> = Record<string, T>;

/** An empty record without a prototype, or a copy of `entries` as one (own keys only). */
export function idRecord<T>(entries?: Readonly<Record<string, T>> | null): IdRecord<T> {
  const record = Object.create(null) as IdRecord<T>;
  if (entries && typeof entries === "object")
    // Object.entries sees an own `__proto__` key (JSON.parse makes one); assigning it to a record
    // without a prototype stores it as an ordinary key.
    for (const [key, value] of Object.entries(entries)) record[key] = value;
  return record;
}

/** The value stored under `key`, never an inherited one (also safe on a record read some other way). */
export function ownValue<T>(record: Readonly<IdRecord<T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
