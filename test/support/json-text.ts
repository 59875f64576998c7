/** `text` parsed as JSON, or undefined when it is not JSON (a plain-text body, an empty one). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
