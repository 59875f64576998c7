/** The timestamp formats the Kubernetes API uses, from one clock with nanosecond resolution. */

const ORIGIN_NS = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Wall-clock nanoseconds since the epoch, strictly increasing within this process. */
export const nowNanos = (): bigint => ORIGIN_NS + process.hrtime.bigint();

const isoSeconds = (ms: number) => new Date(ms).toISOString().slice(0, 19);

/** metav1.Time: RFC 3339 to the second (`creationTimestamp`, `startedAt`, `lastTimestamp`, …). */
export const rfc3339 = (ms: number = Date.now()): string => `${isoSeconds(ms)}Z`;

/** metav1.MicroTime: exactly six fraction digits (`renewTime`, `acquireTime`). */
export function microTime(ns: bigint = nowNanos()): string {
  const micros = (ns / 1000n) % 1_000_000n;
  return `${isoSeconds(Number(ns / 1_000_000n))}.${micros.toString().padStart(6, "0")}Z`;
}

/** Go's time.RFC3339Nano, as the kubelet prefixes log lines: trailing zeros of the fraction dropped. */
export function rfc3339Nano(ns: bigint): string {
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, "0").replace(/0+$/, "");
  return `${isoSeconds(Number(ns / 1_000_000n))}${fraction ? `.${fraction}` : ""}Z`;
}

/** Parses RFC 3339 with any fraction and offset into nanoseconds; undefined if it is not one. */
export function parseRfc3339(text: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(text);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]?.toUpperCase()}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? "").padEnd(9, "0"));
}

/** The milliseconds of an RFC 3339 timestamp (0 if absent), for arithmetic on stored times. */
export const millisOf = (text: string | undefined): number => (text ? Date.parse(text) : 0);
