import type { Logger } from "../../log/logger.ts";
import { channelKey, channelLabel } from "../notification.ts";
import type { DeliveredJournal } from "./delivered-journal.ts";
import type { DeliveryLoop } from "./delivery-loop.ts";
import type { DigestRecord } from "./outbox-records.ts";
import type { OutboxStore } from "./outbox-store.ts";

/**
 * Reads the outbox folder into the loop after a (re)start: messages done before a crash are removed,
 * digests are restored with their members, files that are not whole records are set aside with one
 * warning.
 */
export async function loadPending(
  store: OutboxStore,
  journal: DeliveredJournal,
  loop: DeliveryLoop,
  log: Logger,
): Promise<{ nextSeq: number }> {
  let nextSeq = 0;
  const digests: DigestRecord[] = [];
  const corrupt: string[] = [];
  const done: string[] = [];
  const later: string[] = [];
  for await (const file of store.scan()) {
    if (file.kind === "corrupt") corrupt.push(file.name);
    else if (file.kind === "later") later.push(file.name);
    else if (file.kind === "digest") digests.push(file.record);
    else if (journal.has(file.record.key)) done.push(file.record.key);
    else {
      const { record } = file;
      nextSeq = Math.max(nextSeq, record.seq + 1);
      loop.add(record, channelLabel(record.channel), channelKey(record.channel));
    }
  }
  // Acknowledged just before the crash, removal not finished: finish it.
  if (done.length > 0) await store.remove(done);
  for (const digest of digests) {
    const members = digest.members.filter((key) => loop.has(key));
    if (members.length === 0) await store.remove([], digest.id);
    else loop.restoreDigest(digest.channelKey, digest.id, members);
  }
  for (const name of corrupt) await store.setAside(name).catch(() => undefined);
  if (corrupt.length > 0) await store.pruneSetAside();
  if (corrupt.length > 0)
    log.warn(
      { dir: store.dir, files: corrupt.slice(0, 20), count: corrupt.length },
      "outbox: skipped files that are not whole messages (a crash mid-write, or not the outbox's); moved to corrupt/",
    );
  // After a rollback: the newer updraft sends them when it is back; setting them aside would lose them.
  if (later.length > 0)
    log.warn(
      { dir: store.dir, files: later.slice(0, 20), count: later.length },
      "outbox: files of a later version of updraft left in place, not sent by this version",
    );
  return { nextSeq };
}
