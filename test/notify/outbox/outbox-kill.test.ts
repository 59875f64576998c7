// Issue 16 point 3: a daemon kill -9ed with messages pending sends them after restart (at least
// once), and never sends again what a receiver acknowledged before the kill.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Cleanup } from "../../support/cleanup.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { holdingReceiver } from "./support/holding-receiver.ts";
import { notification } from "./support/notifications.ts";

const cleanup = useCleanup();
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./support/outbox-child.ts", import.meta.url));

/** The outbox child, with the lines it printed. */
function outboxChild(
  cleanup: Cleanup,
  args: string[],
): { child: ChildProcess; lines: string[]; stderr: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanup.defer(() => child.kill("SIGKILL"));
  const lines: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  });
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, lines, stderr: () => stderr };
}

describe("kill -9 with messages pending", () => {
  it("delivers every message after the restart, and none twice that was acknowledged", async () => {
    const dir = await cleanup.tempDir("outbox-kill");
    const receiver = await holdingReceiver(cleanup, 20);
    const first = outboxChild(cleanup, [dir, receiver.url, "50", "5"]);
    const details = () => ({
      lines: first.lines.length,
      held: receiver.held,
      stderr: first.stderr().slice(-2000),
    });
    await waitFor(
      "20 deliveries acknowledged and sends hanging on the other channels",
      () =>
        first.lines.includes("enqueued 50") &&
        first.lines.filter((l) => l.startsWith("delivered ")).length === 20 &&
        receiver.held >= 4
          ? true
          : undefined,
      { details },
    );
    const exited = once(first.child, "exit");
    first.child.kill("SIGKILL");
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).toBe("SIGKILL");

    const acknowledged = receiver.received.filter((r) => r.answered).map((r) => r.id);
    expect(acknowledged).toHaveLength(20);
    // What the child saw acknowledged is what the receiver answered.
    expect(
      first.lines
        .filter((l) => l.startsWith("delivered "))
        .map((l) => l.slice(10))
        .sort(),
    ).toEqual([...acknowledged].sort());
    const underWay = receiver.received.filter((r) => !r.answered).map((r) => r.id);
    expect(underWay.length).toBeGreaterThanOrEqual(4);

    receiver.answerAll();
    const second = outboxChild(cleanup, [dir, receiver.url, "0", "5"]);
    const all = Array.from({ length: 50 }, (_, n) => notification(n).id);
    await waitFor(
      "every message delivered after the restart",
      () => {
        const got = new Set(receiver.received.filter((r) => r.answered).flatMap((r) => r.notifications));
        return all.every((id) => got.has(id)) ? true : undefined;
      },
      { details: () => ({ received: receiver.received.length, stderr: second.stderr().slice(-2000) }) },
    );
    const times = (id: string) => receiver.received.filter((r) => r.id === id).length;
    expect(acknowledged.filter((id) => times(id) !== 1)).toEqual([]);
    // The sends cut off by the kill came again, with the same delivery id.
    for (const id of underWay) expect(times(id)).toBe(2);
    expect(receiver.received).toHaveLength(50 + underWay.length);
  });
});
