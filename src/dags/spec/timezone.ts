/** Returns why `zone` is not an IANA time zone this runtime knows, or undefined. */
export function timezoneError(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return undefined;
  } catch {
    return 'is not a known IANA time zone (e.g. "UTC", "Europe/Berlin", "America/New_York")';
  }
}
