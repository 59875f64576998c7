/**
 * The start of a watch event line as the API server writes it (Go's field order): the event's
 * type, then the object with at most its kind and apiVersion before its metadata, whose first
 * field is the name. A JSON string holds no unescaped quote, so nothing inside a string value can
 * match, and the name matched is the object's own.
 */
const EVENT_START =
  /^\{"type":"(ADDED|MODIFIED|DELETED)","object":\{(?:"(?:kind|apiVersion)":"[^"\\]*",){0,2}"metadata":\{"name":"([^"\\]+)"/;

export interface PeekedEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  name: string;
}

/**
 * A watch event's type and object name, read from the line's start without parsing the whole
 * object (a Pod is a few KB of JSON); undefined for any other shape: the caller parses the line.
 */
export function peekWatchEvent(line: string): PeekedEvent | undefined {
  const match = EVENT_START.exec(line);
  if (!match?.[1] || !match[2]) return undefined;
  return { type: match[1] as PeekedEvent["type"], name: match[2] };
}
