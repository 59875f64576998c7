import { readFile } from "node:fs/promises";
import { CorruptStateError } from "./state-file.ts";

/** The records of active state a journal line changes (one entry each, by id). */
export const JOURNALED = ["definitions", "dags", "runs", "backfills"] as const;
export type Journaled = (typeof JOURNALED)[number];

/** One entry's new JSON text, or null when it was removed. */
export interface EntryChange {
  collection: Journaled;
  key: string;
  text: string | null;
}

/**
 * The journal's first line: the generation of the `state.json` it continues, and a digest of that
 * state.json's text. A journal of another generation is left over from before the last snapshot
 * (which already holds its changes); one whose digest differs continues a state.json that was
 * written since by something else (an older updraft).
 */
export function journalHeader(generation: number, snapshot: string): string {
  return `${JSON.stringify({ journalGeneration: generation, snapshot })}\n`;
}

/** One group of changes as one line: `[[collection, key, value or null], ...]`. */
export function journalLine(changes: readonly EntryChange[]): string {
  return journalLineParts(changes).join("");
}

/** The line of `journalLine` in parts: each entry's text is a part as it is, not copied into another string. */
export function journalLineParts(changes: readonly EntryChange[]): string[] {
  const parts: string[] = [];
  let before = "[";
  for (const { collection, key, text } of changes) {
    parts.push(`${before}["${collection}",${JSON.stringify(key)},`, text ?? "null");
    before = "],";
  }
  parts.push(changes.length > 0 ? "]]\n" : "[]\n");
  return parts;
}

export interface JournalRead {
  generation: number;
  /** The digest of the state.json it continues (journals started before there was one have none). */
  snapshot?: string;
  /** Each line's changes, values parsed, in order. */
  groups: Array<Array<[Journaled, string, unknown]>>;
  /** A last line without its newline: a group whose append a crash cut short, never acknowledged. */
  torn: boolean;
  bytes: number;
}

/** Reads a journal; undefined when there is none. A line that cannot be read, not the last, is corruption. */
export async function readJournal(file: string): Promise<JournalRead | undefined> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  const lines = text.split("\n");
  // After the last newline: "" for a whole journal, the start of a line for a torn one.
  const tail = lines.pop() ?? "";
  const [header, ...rest] = lines;
  if (header === undefined)
    return { generation: -1, groups: [], torn: tail !== "", bytes: Buffer.byteLength(text) };
  const { journalGeneration: generation, snapshot } = parseLine(file, header, 1, isHeader);
  const groups = rest.map((line, index) => parseLine(file, line, index + 2, isGroup));
  return {
    generation,
    ...(typeof snapshot === "string" ? { snapshot } : {}),
    groups,
    torn: tail !== "",
    bytes: Buffer.byteLength(text),
  };
}

function parseLine<T>(file: string, line: string, number: number, is: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new CorruptStateError(file, new Error(`line ${number}: ${(error as Error).message}`));
  }
  if (!is(value)) throw new CorruptStateError(file, new Error(`line ${number} is not a journal entry`));
  return value;
}

function isHeader(value: unknown): value is { journalGeneration: number; snapshot?: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { journalGeneration?: unknown }).journalGeneration === "number"
  );
}

function isGroup(value: unknown): value is Array<[Journaled, string, unknown]> {
  return (
    Array.isArray(value) &&
    value.every(
      (change) =>
        Array.isArray(change) &&
        change.length === 3 &&
        (JOURNALED as readonly unknown[]).includes(change[0]) &&
        typeof change[1] === "string",
    )
  );
}
