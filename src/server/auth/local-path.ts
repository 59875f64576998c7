/**
 * Where to go after signing in or a form: a path on this server only (never `//host`, `/\host`,
 * a URL, or text with spaces or backslashes, which browsers may read as another origin).
 */
export function localPath(next: string | null | undefined): string {
  return next && /^\/(?![/\\])/.test(next) && !/[\\\s]/.test(next) ? next : "/";
}
