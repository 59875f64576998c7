const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/;

/**
 * Parses `"500ms"`, `"30s"`, `"5m"`, `"1h30m"`, `"2d"` or a number of seconds into milliseconds.
 * Returns undefined for anything else.
 */
export function parseDuration(value: number | string): number | undefined {
  if (typeof value === "number")
    return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  let rest = value.trim();
  if (rest === "") return undefined;
  let total = 0;
  while (rest.length > 0) {
    const match = DURATION.exec(rest);
    if (!match?.[1] || !match[2]) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2]] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return Math.round(total);
}
