// The last lines of an init container's log, for the reason of a try it failed: bounded however
// long the log, timestamps removed, "" when the log cannot be read.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { containerLogTail } from "../../src/kubernetes/container-log-tail.ts";
import type { KubeApi } from "../../src/kubernetes/kube-api.ts";

/** A KubeApi whose readLog streams `lines` (timestamped, as the executor asks) in small chunks. */
function apiWithLog(lines: number, read: { bytes: number } = { bytes: 0 }): KubeApi {
  return {
    async readLog(_ns: string, _pod: string, _container: string, _since: string | undefined, sink: Writable) {
      for (let i = 1; i <= lines; i++) {
        const chunk = Buffer.from(`2026-11-21T20:00:00.${String(i).padStart(9, "0")}Z step ${i}\n`);
        read.bytes += chunk.length;
        await new Promise<void>((resolve) => sink.write(chunk, () => resolve()));
      }
      sink.end();
    },
  } as unknown as KubeApi;
}

const target = { namespace: "jobs", pod: "p", container: "migrate" };

describe("containerLogTail", () => {
  it("keeps the last lines without their timestamps", async () => {
    expect(await containerLogTail(apiWithLog(30), target)).toBe(
      ["step 26", "step 27", "step 28", "step 29", "step 30"].join("\n"),
    );
  });

  it("reads a long log through while keeping only its end, cut to the byte limit", async () => {
    const read = { bytes: 0 };
    const tail = await containerLogTail(apiWithLog(20_000, read), target, { lines: 50, bytes: 40 });
    expect(read.bytes).toBeGreaterThan(500_000);
    expect(tail.startsWith("…")).toBe(true);
    expect(tail.endsWith("step 20000")).toBe(true);
    expect(tail.length).toBe(41);
  });

  it("is empty when the log cannot be read", async () => {
    const api = { readLog: () => Promise.reject(new Error('pods "p" not found')) } as unknown as KubeApi;
    expect(await containerLogTail(api, target)).toBe("");
  });
});
