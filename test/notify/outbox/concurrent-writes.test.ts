// The outbox's own files are rewritten through one temp name each (durable-write.ts), so two
// channels giving up at the same moment, or appends racing a compaction, must be serialised: both
// entries kept, no write failing (a failed give-up would send the message again).
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DeliveredJournal } from "../../../src/notify/outbox/delivered-journal.ts";
import { UndeliverableList } from "../../../src/notify/outbox/undeliverable-list.ts";
import { durableStateWriter } from "../../../src/store/durable-write.ts";
import type { UndeliverableMessage } from "../../../src/notify/notification.ts";
import { useCleanup } from "../../support/use-cleanup.ts";

function entry(id: string): UndeliverableMessage {
  return {
    id,
    channel: "webhook example.com",
    event: "failure",
    title: `failure ${id}`,
    count: 1,
    attempts: 1,
    firstAttemptAt: null,
    gaveUpAt: "2026-12-05T08:00:00.000Z",
    lastError: "HTTP 404",
  };
}

const key = (n: number) => n.toString(16).padStart(40, "0");

describe("the outbox's list files under concurrent writes", () => {
  const cleanup = useCleanup("file");

  it("keeps every entry given up on at the same moment, and no add fails", async () => {
    const dir = await cleanup.tempDir("undeliverable");
    const list = new UndeliverableList(path.join(dir, "undeliverable.json"), durableStateWriter);
    const results = await Promise.allSettled(["a", "b", "c", "d"].map((id) => list.add(entry(id))));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(list.items.map((item) => item.id)).toEqual(["d", "c", "b", "a"]);
    const again = new UndeliverableList(list.file, durableStateWriter);
    await again.load();
    expect(again.items.map((item) => item.id)).toEqual(["d", "c", "b", "a"]);
  });

  it("loses no key when appends race the journal's compaction", async () => {
    const dir = await cleanup.tempDir("journal");
    const journal = new DeliveredJournal(path.join(dir, "delivered.log"), durableStateWriter, 4);
    // Limit 4: the file is compacted whenever it passes 8 lines, while other appends are under way.
    await Promise.all(Array.from({ length: 30 }, (_, n) => journal.add([key(n)])));
    const reloaded = new DeliveredJournal(journal.file, durableStateWriter, 4);
    await reloaded.load();
    for (let n = 26; n < 30; n++) expect(reloaded.has(key(n)), `key ${n}`).toBe(true);
    const lines = (await readFile(journal.file, "utf8")).split("\n").filter(Boolean);
    // Each key with when it was done; a journal written before times were kept still loads.
    expect(lines.every((line) => /^[0-9a-f]{40} \d+$/.test(line))).toBe(true);
    await writeFile(journal.file, `${key(1)}\n`);
    await reloaded.load();
    expect(reloaded.has(key(1))).toBe(true);
  });
});
