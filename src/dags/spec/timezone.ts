/** Returns why `zone` is not an IANA time zone this runtime knows, or undefined. */
export function timezoneError(zone: string): string | undefined {
  // Building a DateTimeFormat is costly and a repository names a handful of zones: check each once.
  let known = checkedZones.get(zone);
  if (known === undefined) {
    known = zoneProblem(zone);
    if (checkedZones.size > 1_000) checkedZones.clear();
    checkedZones.set(zone, known);
  }
  return known ?? undefined;
}

/** Zone → its problem (null when valid). */
const checkedZones = new Map<string, string | null>();

function zoneProblem(zone: string): string | null {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return null;
  } catch {
    return 'is not a known IANA time zone (e.g. "UTC", "Europe/Berlin", "America/New_York")';
  }
}
