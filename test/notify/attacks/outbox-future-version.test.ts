// Attack on #16 point 3: a rollback. A newer updraft wrote its messages as `"v": 2`; the older one
// set them aside as corrupt (and pruned corrupt/ to 100 files), so going forward again lost them.
// A record of a later version is left in place, named once in the log, and never sent by this one.
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { outboxFixture } from "../outbox/support/outbox-fixture.ts";
import { hook, notification } from "../outbox/support/notifications.ts";

describe("an outbox file of a later version", () => {
  const cleanup = useCleanup();

  it("is left where it is, logged once, and not sent; the others are delivered", async () => {
    const { outbox, dir, sender, events, lines, reopen } = await outboxFixture(cleanup);
    await outbox.enqueue([hook("a")], notification(1));
    await outbox.enqueue([hook("b")], notification(2));
    const names = (await readdir(dir)).filter((name) => name.startsWith("m-")).sort();
    const texts = await Promise.all(names.map((name) => readFile(path.join(dir, name), "utf8")));
    // The second message, as a later version wrote it.
    const later = texts.findIndex((text) => text.includes(notification(2).id));
    const record = JSON.parse(texts[later] ?? "{}") as Record<string, unknown>;
    await writeFile(path.join(dir, names[later] ?? ""), JSON.stringify({ ...record, v: 2, newField: true }));

    const restarted = reopen();
    await restarted.start();
    await waitFor("the current message delivered", () => (events.length === 1 ? true : undefined));
    expect(sender.calls.map((d) => d.id)).toEqual([notification(1).id]);
    expect(await readdir(dir)).toContain(names[later]);
    const warnings = lines.filter((line) => line.includes("later version"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(names[later]);
  });
});
