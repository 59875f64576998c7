import { isRole } from "../access/role.ts";
import type { AuditEntry } from "./audit-entry.ts";

/** The most one line of the audit log may take, newline included. */
export const MAX_AUDIT_LINE_BYTES = 16 * 1024;

/** An entry the log cannot hold: its fields other than `input` alone pass MAX_AUDIT_LINE_BYTES. */
export class AuditEntryTooLarge extends Error {
  readonly code = "audit_entry_too_large";
}

const VIAS = new Set(["session", "token", "loopback"]);

/**
 * One entry as its line (newline included), fields in a fixed order. An `input` that would make
 * the line pass MAX_AUDIT_LINE_BYTES becomes the start of its JSON text and a marker saying how
 * big it was; the other fields are never cut (a cut actor or target would be a false record).
 */
export function auditLine(entry: AuditEntry): string {
  const line = serialise(entry, entry.input);
  if (Buffer.byteLength(line) <= MAX_AUDIT_LINE_BYTES) return line;
  const inputText = jsonOf(entry.input);
  const marker = `… [input truncated: it had ${Buffer.byteLength(inputText)} bytes]`;
  // Bytes left for the input's text once everything else (and the marker) is on the line.
  const room = MAX_AUDIT_LINE_BYTES - Buffer.byteLength(serialise(entry, marker));
  if (room < 0)
    throw new AuditEntryTooLarge(
      `audit entry for ${entry.action} on ${entry.target.slice(0, 80)} is over ${MAX_AUDIT_LINE_BYTES} bytes without its input: its actor, target or request id is too long`,
    );
  return serialise(entry, fitted(inputText, marker, room));
}

/** The longest start of `text` that, followed by `marker`, adds at most `room` bytes as a JSON string. */
function fitted(text: string, marker: string, room: number): string {
  const markerBytes = jsonBytes(marker);
  const fits = (keep: number) => jsonBytes(cut(text, keep) + marker) - markerBytes <= room;
  // Bytes grow with the characters kept; each character takes at least one, so `room` bounds the search.
  let low = 0;
  let high = Math.min(text.length, room);
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return cut(text, low) + marker;
}

/** The first `keep` characters, never ending on half of a surrogate pair. */
function cut(text: string, keep: number): string {
  return text.slice(0, keep > 0 && isHighSurrogate(text.charCodeAt(keep - 1)) ? keep - 1 : keep);
}

function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function jsonOf(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "";
  } catch {
    return "[input that is not JSON]";
  }
}

function serialise(entry: AuditEntry, input: unknown): string {
  const { at, actor, role, via, action, target, status, requestId } = entry;
  let text: string;
  try {
    text = JSON.stringify({ at, actor, role, via, action, target, input, status, requestId });
  } catch {
    text = JSON.stringify({ at, actor, role, via, action, target, input: jsonOf(input), status, requestId });
  }
  return `${text}\n`;
}

/** The entry a line holds, or undefined for anything else (a torn write, a foreign line). */
export function parseAuditLine(text: string): AuditEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isAuditEntry(value) ? value : undefined;
}

function isAuditEntry(value: unknown): value is AuditEntry {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const entry = value as Record<string, unknown>;
  return (
    typeof entry.at === "string" &&
    typeof entry.actor === "string" &&
    (entry.role === null || isRole(entry.role)) &&
    (entry.via === null || (typeof entry.via === "string" && VIAS.has(entry.via))) &&
    typeof entry.action === "string" &&
    typeof entry.target === "string" &&
    typeof entry.status === "number" &&
    typeof entry.requestId === "string"
  );
}
