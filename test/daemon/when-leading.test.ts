// Under leader election replicas may share the state dir: work on its files (the log store's
// uploads and sweeps) starts only on the replica that leads, once, and only after the daemon started.
import { describe, expect, it } from "vitest";
import { whenLeading } from "../../src/daemon/when-leading.ts";
import { createDaemonEvents } from "../../src/events/daemon-events.ts";
import type { LeaderView } from "../../src/leader/leader-view.ts";

const view = (isLeader: boolean) => ({ isLeader }) as LeaderView;

describe("whenLeading", () => {
  it("without leader election, starts when the daemon starts", () => {
    const events = createDaemonEvents();
    let runs = 0;
    const start = whenLeading(events, false, () => runs++);
    expect(runs).toBe(0);
    start();
    start();
    expect(runs).toBe(1);
  });

  it("with leader election, waits for this replica to lead, and starts once", () => {
    const events = createDaemonEvents();
    let runs = 0;
    const start = whenLeading(events, true, () => runs++);
    start();
    events.emit("leadership:changed", view(false));
    expect(runs).toBe(0);
    events.emit("leadership:changed", view(true));
    events.emit("leadership:changed", view(true));
    expect(runs).toBe(1);
  });

  it("a lead won before the daemon started waits for the start", () => {
    const events = createDaemonEvents();
    let runs = 0;
    const start = whenLeading(events, true, () => runs++);
    events.emit("leadership:changed", view(true));
    expect(runs).toBe(0);
    start();
    expect(runs).toBe(1);
  });
});
