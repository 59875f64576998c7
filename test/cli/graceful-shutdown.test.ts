import { Writable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { gracefulShutdown } from "../../src/cli/graceful-shutdown.ts";
import { createLogger } from "../../src/log/logger.ts";

function capture() {
  const lines: Array<{ msg: string; [key: string]: unknown }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: createLogger({ secrets: [], destination }), lines };
}

describe("gracefulShutdown", () => {
  afterEach(() => vi.useRealTimers());

  it("stops the daemon, then exits with the code asked for", async () => {
    const { log, lines } = capture();
    const exits: number[] = [];
    const stopped = Promise.resolve();
    const shutdown = gracefulShutdown({ stop: () => stopped }, log, {
      timeoutMs: 20_000,
      exit: (c) => exits.push(c),
    });
    shutdown("SIGTERM", 0);
    await vi.waitFor(() => expect(exits).toEqual([0]));
    expect(lines.map((l) => l.msg)).toEqual(["shutting down", "stopped"]);
  });

  it("exits 1 with a log line when the stop outlasts the deadline, or on a second request", async () => {
    vi.useFakeTimers();
    const { log, lines } = capture();
    const exits: number[] = [];
    const shutdown = gracefulShutdown({ stop: () => new Promise<void>(() => {}) }, log, {
      timeoutMs: 20_000,
      exit: (c) => exits.push(c),
    });
    shutdown("SIGTERM", 0);
    await vi.advanceTimersByTimeAsync(19_999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
    expect(lines.at(-1)?.msg).toBe(
      "graceful stop did not finish within the shutdown timeout: exiting anyway",
    );
    shutdown("SIGINT", 0);
    expect(exits).toEqual([1, 1]);
    expect(lines.at(-1)?.msg).toBe("shutdown requested again while stopping: exiting now");
  });

  it("exits 1 when the stop fails", async () => {
    const { log } = capture();
    const exits: number[] = [];
    gracefulShutdown({ stop: () => Promise.reject(new Error("disk full")) }, log, {
      timeoutMs: 20_000,
      exit: (c) => exits.push(c),
    })("SIGTERM", 0);
    await vi.waitFor(() => expect(exits).toEqual([1]));
  });
});
