import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../../../src/log/logger.ts";
import type { Channel, Notification } from "../../../../src/notify/notification.ts";

/** A failure notification numbered `n`. */
export function notification(n: number | string, over: Partial<Notification> = {}): Notification {
  return {
    id: `failure:etl:run-${n}:load:1`,
    event: "failure",
    title: `updraft: task etl.load failed in run run-${n} (try 1): exit code 1`,
    at: "2026-12-01T00:00:00.000Z",
    dag: "etl",
    run: `run-${n}`,
    task: "load",
    try: 1,
    state: "failed",
    reason: "exit code 1",
    commit: "0123456789abcdef0123456789abcdef01234567",
    logicalDate: "2026-12-01T00:00:00.000Z",
    logTail: ["line 1", "line 2"],
    links: { run: null, log: null, sync: null },
    ...over,
  };
}

export const hook = (name: string): Channel => ({
  type: "webhook",
  url: `https://hooks.example.com/services/T000/SECRET-${name}`,
});

/** A logger whose JSON lines the test reads. */
export function capturedLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ secrets: [], destination }), lines };
}
