import type { Channel, Delivery, Notification } from "../../../src/notify/notification.ts";

/** A final task failure with every field filled, as routing builds it. */
export function failureNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    id: "failure-etl-manual__2026-12-05T06-00-00-load-3",
    event: "failure",
    title: "updraft: task etl.load failed in run manual__2026-12-05T06:00:00 (try 3): exit code 1",
    at: "2026-12-05T06:04:10.000Z",
    dag: "etl",
    run: "manual__2026-12-05T06:00:00",
    task: "load",
    try: 3,
    state: "failed",
    reason: "exit code 1",
    commit: "4f2c9e1b7a5d3c8e9f0a1b2c3d4e5f6a7b8c9d0e",
    logicalDate: "2026-12-05T06:00:00.000Z",
    logTail: ["loading 120 rows into warehouse.orders", "ERROR: connection to db-1:5432 refused"],
    links: {
      run: "https://updraft.example.com/runs/manual__2026-12-05T06%3A00%3A00",
      log: "https://updraft.example.com/runs/manual__2026-12-05T06%3A00%3A00/tasks/load/logs?try=3",
      sync: null,
    },
    ...overrides,
  };
}

/** A missed schedule, as routing builds it. */
export function missedNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    id: "missed-etl-2026-12-05T06:00:00.000Z",
    event: "missed_schedule",
    title:
      'updraft: DAG "etl" missed its 2026-12-05 06:00 UTC schedule: no run started within 15m (DAG paused)',
    at: "2026-12-05T06:15:00.000Z",
    dag: "etl",
    run: null,
    task: null,
    try: null,
    state: "missed",
    reason: "no run started within 15m of 2026-12-05T06:00:00.000Z (DAG paused)",
    commit: null,
    logicalDate: "2026-12-05T06:00:00.000Z",
    logTail: [],
    links: { run: null, log: null, sync: null },
    missed: { kind: "start" },
    ...overrides,
  };
}

/** A delivery of these notifications to a channel (a digest when there are several). */
export function deliveryOf(channel: Channel, ...notifications: Notification[]): Delivery {
  return { id: `delivery-${notifications[0]?.id ?? "none"}-${notifications.length}`, channel, notifications };
}

/** `n` failures of different tasks, for digests. */
export function failures(n: number): Notification[] {
  return Array.from({ length: n }, (_, i) =>
    failureNotification({
      id: `failure-${i}`,
      task: `task_${i}`,
      title: `updraft: task etl.task_${i} failed in run manual__1 (try 1): exit code ${i}`,
    }),
  );
}
