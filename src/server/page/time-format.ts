/** How pages write times and durations: UTC, to the second, plus "how long ago" against `now`. */

/** `2026-05-01 10:00:00 UTC`; a dash for no time. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** `1.2 s`, `3 min 4 s`, `2 h 5 min`, `3 d 4 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min ${whole % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** `3 min ago` or `in 5 s`, relative to `now`. */
export function formatRelative(iso: string | null | undefined, now: Date): string {
  if (!iso) return "";
  const at = new Date(iso).getTime();
  if (Number.isNaN(at)) return "";
  const delta = at - now.getTime();
  if (Math.abs(delta) < 1000) return "now";
  const span = formatDuration(Math.abs(delta)).replace(/ \d+ (s|min|h)$/, "");
  return delta < 0 ? `${span} ago` : `in ${span}`;
}

/** Milliseconds between two times; `end` defaults to `now` for things still going. */
export function elapsedMs(start: string | null, end: string | null, now: Date): number | null {
  if (!start) return null;
  const to = end ? new Date(end).getTime() : now.getTime();
  return Math.max(0, to - new Date(start).getTime());
}
