import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { StateWriter } from "../../store/durable-write.ts";
import type { UndeliverableMessage } from "../notification.ts";
import type { PendingMessage } from "./channel-queue.ts";

const listSchema = z.array(
  z.object({
    id: z.string(),
    channel: z.string(),
    event: z.enum(["failure", "retry", "success", "missed_schedule", "sync_failure", "digest"]),
    title: z.string(),
    count: z.number(),
    attempts: z.number(),
    firstAttemptAt: z.string().nullable(),
    gaveUpAt: z.string(),
    lastError: z.string(),
  }),
);

/** The newest messages given up on (newest first), kept in `undeliverable.json`; no URL in them. */
export class UndeliverableList {
  #items: UndeliverableMessage[] = [];
  #tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    readonly writer: StateWriter,
    readonly limit = 200,
  ) {}

  get items(): UndeliverableMessage[] {
    return [...this.#items];
  }

  /** Loads the list; returns false when the file is there but not a list (then it starts empty). */
  async load(): Promise<boolean> {
    const text = await readFile(this.file, "utf8").catch(() => undefined);
    if (text === undefined) return true;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = listSchema.safeParse(json);
    this.#items = parsed.success ? parsed.data.slice(0, this.limit) : [];
    return parsed.success;
  }

  /**
   * Adds one, after any add under way: two channels giving up at once must not both rewrite the
   * file from the same old list (one entry lost) or race on its temp file (one write failing).
   */
  add(item: UndeliverableMessage): Promise<void> {
    const write = async () => {
      const items = [item, ...this.#items].slice(0, this.limit);
      await this.writer.write(this.file, JSON.stringify(items));
      this.#items = items;
    };
    const added = this.#tail.then(write, write);
    this.#tail = added.catch(() => undefined);
    return added;
  }
}

/** How the page shows a message (or digest, when it has several members) given up on; `label` is channelLabel. */
export function undeliverableEntry(given: {
  id: string;
  label: string;
  members: readonly PendingMessage[];
  attempts: number;
  firstAttemptAt: number;
  gaveUpAt: number;
  lastError: string;
}): UndeliverableMessage {
  const [head] = given.members;
  const digest = given.members.length > 1 || given.id.startsWith("digest-");
  return {
    id: given.id,
    channel: given.label,
    event: digest ? "digest" : (head?.event ?? "failure"),
    title: digest ? `${given.members.length} notifications` : (head?.title ?? ""),
    count: given.members.length,
    attempts: given.attempts,
    firstAttemptAt: new Date(given.firstAttemptAt).toISOString(),
    gaveUpAt: new Date(given.gaveUpAt).toISOString(),
    lastError: given.lastError,
  };
}
