// GET /metrics of a real daemon (local executor, watched folder) moves as syncs and runs happen.
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/server/app.ts";
import { waitFor } from "../support/wait-for.ts";
import { type ApiDaemon, startApiDaemon, useApiDaemon } from "../server/support/api-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { parseScrape, type Scrape } from "./scrape.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";

const api = useApiDaemon();
/** For a second daemon, stopped with the file. */
const cleanup = useCleanup("file");

async function scrape(): Promise<Scrape> {
  const response = await api.call("GET", "/metrics");
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return parseScrape(response.text);
}

describe("GET /metrics", () => {
  it("declares every updraft metric with its type, and process metrics", async () => {
    const { types } = await scrape();
    expect(Object.fromEntries([...types].filter(([name]) => !/process|nodejs/.test(name)))).toEqual({
      updraft_sync_duration_seconds: "histogram",
      updraft_syncs_total: "counter",
      updraft_last_successful_sync_timestamp_seconds: "gauge",
      updraft_dags_loaded: "gauge",
      updraft_import_errors: "gauge",
      updraft_pool_slots: "gauge",
      updraft_pool_used_slots: "gauge",
      updraft_pool_queued_tries: "gauge",
      updraft_runs_total: "counter",
      updraft_task_instances_total: "counter",
      updraft_task_duration_seconds: "histogram",
      updraft_scheduling_lag_seconds: "histogram",
      updraft_missed_schedules_total: "counter",
      updraft_executor_api_errors_total: "counter",
      updraft_unhandled_rejections_total: "counter",
      updraft_outbox_pending_messages: "gauge",
      updraft_outbox_undeliverable_messages: "gauge",
      updraft_notification_deliveries_total: "counter",
      updraft_notifications_dropped_total: "counter",
    });
    expect(types.get("process_cpu_seconds_total")).toBe("counter");
    expect(types.get("process_resident_memory_bytes")).toBe("gauge");
    expect(types.get("nodejs_eventloop_lag_seconds")).toBe("gauge");
    for (const name of types.keys()) expect(name).toMatch(/^(updraft|process|nodejs)_/);
  });

  it("counts runs and task instances by final state, and task durations", async () => {
    const before = await scrape();
    const value = (s: Scrape, name: string, labels: Record<string, string>) => s.value(name, labels) ?? 0;
    await api.runToEnd("ok_dag");
    await api.runToEnd("ok_dag");
    await api.runToEnd("fail_dag");
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) =>
      value(after, name, labels) - value(before, name, labels);
    expect(moved("updraft_runs_total", { dag: "ok_dag", state: "success" })).toBe(2);
    expect(moved("updraft_runs_total", { dag: "fail_dag", state: "failed" })).toBe(1);
    expect(moved("updraft_task_instances_total", { dag: "ok_dag", state: "success" })).toBe(4);
    expect(moved("updraft_task_instances_total", { dag: "fail_dag", state: "failed" })).toBe(1);
    expect(moved("updraft_task_duration_seconds_count", { dag: "ok_dag", outcome: "success" })).toBe(4);
    expect(moved("updraft_task_duration_seconds_count", { dag: "fail_dag", outcome: "failed" })).toBe(1);
    expect(
      value(after, "updraft_task_duration_seconds_sum", { dag: "ok_dag", outcome: "success" }),
    ).toBeGreaterThan(0);
  });

  it("tracks DAGs loaded, import errors, sync results and the last successful sync", async () => {
    const first = await scrape();
    expect(first.value("updraft_dags_loaded")).toBe(4);
    expect(first.value("updraft_import_errors")).toBe(1);
    // The folder has an import error: every reload so far failed.
    expect(first.value("updraft_syncs_total", { result: "failed" })).toBeGreaterThanOrEqual(1);
    expect(first.value("updraft_syncs_total", { result: "ok" }) ?? 0).toBe(0);
    expect(first.value("updraft_last_successful_sync_timestamp_seconds")).toBe(0);

    await rm(path.join(api.test.daemon.source.status().repo, "broken.ts"));
    const fixed = await waitFor("a successful reload", async () => {
      const current = await scrape();
      return (current.value("updraft_syncs_total", { result: "ok" }) ?? 0) >= 1 ? current : undefined;
    });
    expect(fixed.value("updraft_import_errors")).toBe(0);
    expect(fixed.value("updraft_last_successful_sync_timestamp_seconds")).toBeGreaterThan(
      Date.now() / 1000 - 600,
    );
    expect(fixed.value("updraft_sync_duration_seconds_count", { result: "ok" })).toBeGreaterThanOrEqual(1);
  });

  it("observes the scheduling lag of scheduled runs", async () => {
    const dir = api.test.daemon.source.status().repo;
    await writeFile(
      path.join(dir, "ticker.ts"),
      `import { dag, pod } from "updraft";
export default dag({ id: "ticker", schedule: "* * * * * *", maxActiveRuns: 1, tasks: [
  pod({ id: "tick", image: "busybox:1.36", command: ["node", "-e", "0"] }),
] });
`,
    );
    const ticked = await waitFor(
      "a scheduled run to start",
      async () => {
        const current = await scrape();
        return (current.value("updraft_scheduling_lag_seconds_count") ?? 0) >= 1 ? current : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // A per-second schedule on an idle daemon: each start is late by well under a minute (a
    // misread logical date would be off by hours or negative).
    const count = ticked.value("updraft_scheduling_lag_seconds_count") ?? 0;
    const sum = ticked.value("updraft_scheduling_lag_seconds_sum") ?? Number.NaN;
    expect(sum).toBeGreaterThanOrEqual(0);
    expect(sum / count).toBeLessThan(60);
    expect((await api.call("POST", "/api/dags/ticker/pause")).status).toBe(200);
  });

  it("keeps each daemon's metrics in its own registry", async () => {
    const other = await startApiDaemon(cleanup);
    await other.runToEnd("fail_dag");
    const mine = await scrape();
    const theirs = parseScrape((await other.call("GET", "/metrics")).text);
    expect(theirs.value("updraft_runs_total", { dag: "fail_dag", state: "failed" })).toBe(1);
    expect(mine.value("updraft_runs_total", { dag: "fail_dag", state: "failed" })).toBe(1);
    expect(theirs.value("updraft_runs_total", { dag: "ok_dag", state: "success" })).toBeUndefined();
  }, 60_000);

  it("is absent (404) from an app built without metrics", async () => {
    const { metrics: _metrics, ...deps } = appDepsOf(api);
    const response = await createApp(deps).request("/metrics");
    expect(response.status).toBe(404);
  });
});

/** The AppDeps the daemon built, read back through its app's collaborators. */
function appDepsOf(daemon: ApiDaemon): Parameters<typeof createApp>[0] {
  const d = daemon.test.daemon;
  return {
    registry: d.registry,
    source: d.source,
    scheduler: d.scheduler,
    store: d.store,
    syncHistory: () => [],
    health: () => ({ ok: true, checks: {} }),
    auth: { apiToken: undefined, listensOnLoopback: true },
    webhookSecret: undefined,
    followedBranch: () => undefined,
    version: "test",
    mask: new SecretMask(),
    metrics: { contentType: "text/plain", text: async () => "" },
  };
}
