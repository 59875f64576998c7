// Issue 12 point 5: the daemon reports syncs and run and try transitions on one typed event bus;
// the sync history (`GET /api/syncs`) is one of its subscribers, and tests wait on it too.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import type { DaemonEvents } from "../../src/events/daemon-events.ts";
import { dagModule } from "../support/dag-sources.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("test");

it("reports the first sync, then a manual run's creation, start, try and end, in that order", async () => {
  const dags = path.join(await cleanup.tempDir("daemon-events"), "dags");
  await mkdir(dags);
  await writeFile(path.join(dags, "evented.ts"), dagModule("evented", { echo: "hello events" }));
  const api = await startTestDaemon(cleanup, ["--dags", dags], { start: false });
  const { events } = api.daemon;
  const seen: string[] = [];
  for (const name of [
    "sync:applied",
    "sync:failed",
    "run:created",
    "run:started",
    "try:started",
    "try:finished",
    "run:finished",
  ] as const)
    events.on(name, () => seen.push(name));
  const synced = events.next("sync:applied");
  await api.daemon.start();
  const record = await synced;
  expect(record).toMatchObject({ ok: true, changes: { added: ["evented"] } });
  // The sync history is a subscriber: the same record is listed.
  expect((await api.request("/api/syncs")).body).toEqual([expect.objectContaining({ at: record.at })]);

  const finished = events.next("run:finished", ({ run }) => run.dagId === "evented");
  const trigger = await api.request("/api/dags/evented/runs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  expect(trigger.status, trigger.text).toBe(201);
  const { run }: DaemonEvents["run:finished"] = await finished;
  expect(run).toMatchObject({ id: (trigger.body as { runId: string }).runId, state: "success" });
  expect(seen).toEqual([
    "sync:applied",
    "run:created",
    "run:started",
    "try:started",
    "try:finished",
    "run:finished",
  ]);
}, 60_000);
