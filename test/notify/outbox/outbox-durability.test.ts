// Issue 16 point 3: the outbox acknowledges a message only once it is on disk, never stores one twice,
// refuses what is beyond its cap, and survives damaged files in its folder.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { channelLabel } from "../../../src/notify/notification.ts";
import { FailingStateWriter } from "../../support/failing-state-writer.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { outboxFixture } from "./support/outbox-fixture.ts";
import { hook, notification } from "./support/notifications.ts";

const cleanup = useCleanup();
const messageFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.startsWith("m-"));

describe("enqueue", () => {
  it("resolves once every channel's copy is on disk, in files only the daemon's user can read", async () => {
    const { outbox, dir } = await outboxFixture(cleanup);
    await outbox.enqueue([hook("a"), { type: "email", to: ["ops@example.com"] }], notification(1));
    const files = await messageFiles(dir);
    expect(files).toHaveLength(2);
    for (const file of files) expect((await stat(path.join(dir, file))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const stored = await Promise.all(files.map((file) => readFile(path.join(dir, file), "utf8")));
    expect(stored.map((text) => JSON.parse(text).notification)).toEqual([notification(1), notification(1)]);
    expect(outbox.pendingCount()).toBe(2);
  });

  it("rejects when the disk is full, naming the folder, and leaves no file behind", async () => {
    const writer = new FailingStateWriter();
    const { outbox, dir } = await outboxFixture(cleanup, { writer });
    writer.fail("ENOSPC", (file) => path.basename(file).startsWith("m-"));
    await expect(outbox.enqueue([hook("a")], notification(1))).rejects.toThrow(
      new RegExp(`could not store notification .* for webhook hooks.example.com in ${dir} \\(ENOSPC`),
    );
    expect(await readdir(dir)).toEqual([]);
    expect(outbox.pendingCount()).toBe(0);
    writer.succeed();
    await outbox.enqueue([hook("a")], notification(1));
    expect(await messageFiles(dir)).toHaveLength(1);
  });

  it("stores the same notification for the same channel once: twice, after a restart, after delivery", async () => {
    const { outbox, dir, sender, events, reopen } = await outboxFixture(cleanup);
    await outbox.enqueue([hook("a")], notification(1));
    await outbox.enqueue([hook("a")], notification(1));
    await Promise.all([
      outbox.enqueue([hook("b")], notification(1)),
      outbox.enqueue([hook("b")], notification(1)),
    ]);
    expect(await messageFiles(dir)).toHaveLength(2);
    await outbox.stop();

    const second = reopen();
    await second.enqueue([hook("a")], notification(1));
    expect(await messageFiles(dir)).toHaveLength(2);
    await second.start();
    await waitFor("both delivered", () =>
      events.filter((e) => e.type === "delivered").length === 2 ? true : undefined,
    );
    expect(await messageFiles(dir)).toEqual([]);
    await second.enqueue([hook("a"), hook("b")], notification(1));
    await second.stop();

    const third = reopen();
    await third.enqueue([hook("a"), hook("b")], notification(1));
    await third.start();
    expect(await messageFiles(dir)).toEqual([]);
    expect(third.pendingCount()).toBe(0);
    expect(sender.calls.map((d) => channelLabel(d.channel))).toHaveLength(2);
  });

  it("remembers only the last keepDelivered keys, on disk too", async () => {
    const { outbox, dir, events, reopen, clock } = await outboxFixture(cleanup, {
      keepDelivered: 3,
      burstLimit: 100,
    });
    await outbox.start();
    for (let n = 1; n <= 8; n++) await outbox.enqueue([hook("a")], notification(n));
    await waitFor("all delivered", () => (events.length === 8 ? true : undefined));
    const journal = (await readFile(path.join(dir, "delivered.log"), "utf8")).split("\n").filter(Boolean);
    expect(journal.length).toBeLessThanOrEqual(6);
    await outbox.stop();

    // Past the time a restart's catch-up looks back, only the count bounds what is remembered.
    clock.advance(16 * 60_000);
    const again = reopen({ keepDelivered: 3 });
    await again.enqueue([hook("a")], notification(8));
    expect(again.pendingCount()).toBe(0);
    await again.enqueue([hook("a")], notification(1));
    expect(again.pendingCount()).toBe(1);
  });

  it("remembers past keepDelivered what it did within keepDeliveredMs, so a restart's catch-up never sends it twice", async () => {
    const { outbox, events, sender, reopen } = await outboxFixture(cleanup, {
      keepDelivered: 3,
      keepDeliveredMs: 15 * 60_000,
      burstLimit: 100,
    });
    await outbox.start();
    for (let n = 1; n <= 8; n++) await outbox.enqueue([hook("a")], notification(n));
    await waitFor("all delivered", () => (events.length === 8 ? true : undefined));
    await outbox.stop();
    // The daemon restarts a minute later and tells again what runs that ended lately should have told.
    const again = reopen({ keepDelivered: 3, keepDeliveredMs: 15 * 60_000 });
    for (let n = 1; n <= 8; n++) await again.enqueue([hook("a")], notification(n));
    expect(again.pendingCount()).toBe(0);
    expect(sender.calls).toHaveLength(8);
  });

  it("refuses messages beyond maxPending, counts them and logs once a minute", async () => {
    let dropped = 0;
    const metrics = { outboxSize() {}, notificationDelivery() {}, notificationDropped: () => void dropped++ };
    const { outbox, dir, lines, clock } = await outboxFixture(cleanup, { maxPending: 5, metrics });
    for (let n = 0; n < 8; n++) await outbox.enqueue([hook("a")], notification(n));
    expect(outbox.pendingCount()).toBe(5);
    expect(await messageFiles(dir)).toHaveLength(5);
    expect(dropped).toBe(3);
    expect(lines.filter((line) => line.includes("outbox full"))).toHaveLength(1);
    clock.advance(61_000);
    await outbox.enqueue([hook("a")], notification(9));
    expect(lines.filter((line) => line.includes("outbox full"))).toHaveLength(2);
    expect(lines.join("\n")).not.toContain("SECRET");
  });
});

describe("start", () => {
  it("sets aside truncated and foreign files with one warning, and delivers the whole ones", async () => {
    const { outbox, dir, sender, events, lines } = await outboxFixture(cleanup);
    await outbox.enqueue([hook("a")], notification(1));
    const [good] = await messageFiles(dir);
    const text = await readFile(path.join(dir, good ?? ""), "utf8");
    await writeFile(path.join(dir, `m-${"a".repeat(40)}.json`), text.slice(0, text.length / 2));
    await writeFile(path.join(dir, `.m-${"b".repeat(40)}.json.tmp`), text.slice(0, 10));
    await writeFile(path.join(dir, "m-not-a-key.json"), "garbage");
    await writeFile(path.join(dir, `d-digest-${"c".repeat(32)}.json`), "{");

    await outbox.start();
    await waitFor("the whole message delivered", () => (events.length === 1 ? true : undefined));
    expect(sender.calls.map((d) => d.id)).toEqual([notification(1).id]);
    expect((await readdir(path.join(dir, "corrupt"))).length).toBe(4);
    expect((await readdir(dir)).filter((name) => name !== "corrupt" && name !== "delivered.log")).toEqual([]);
    const warnings = lines.filter((line) => line.includes("not whole messages"));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? "{}").count).toBe(4);
  });
});
