/**
 * Issue 11 point 2: a promise rejection nobody handled must not end the daemon silently. The
 * handler is a small module (tested with an emitter and in a real child process, since vitest
 * itself fails a test on an unhandled rejection in its own process), and the daemon reports what
 * it received on /healthz and /metrics.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { EventEmitter } from "node:events";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { catchUnhandledRejections, UnhandledRejections } from "../../src/health/unhandled-rejections.ts";
import { createLogger } from "../../src/log/logger.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { startTestDaemon } from "../support/test-daemon.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function capturedLogger() {
  const lines: string[] = [];
  const log = createLogger({
    secrets: [],
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    }),
  });
  return { log, lines };
}

describe("the last-resort handler for unhandled rejections", () => {
  const cleanup = useCleanup();

  it("logs each rejection with its stack, counts it and names the first as a health problem", () => {
    const { log, lines } = capturedLogger();
    let counted = 0;
    const rejections = new UnhandledRejections(log, () => counted++);
    const emitter = new EventEmitter();
    const uninstall = catchUnhandledRejections(emitter, (reason) => rejections.record(reason));
    expect(rejections.problem()).toBeUndefined();
    emitter.emit("unhandledRejection", new Error("extractResult: ENOENT"), Promise.resolve());
    emitter.emit("unhandledRejection", "a string reason", Promise.resolve());
    expect(counted).toBe(2);
    expect(rejections.count).toBe(2);
    expect(rejections.problem()).toBe(
      "2 unhandled promise rejection(s) since start, the first: Error: extractResult: ENOENT",
    );
    const first = JSON.parse(lines[0] ?? "{}") as { level: number; err?: { stack?: string } };
    expect(first.level).toBe(50);
    expect(first.err?.stack).toContain("extractResult: ENOENT");
    expect(first.err?.stack).toContain("unhandled-rejections.test.ts");
    uninstall();
    expect(emitter.listenerCount("unhandledRejection")).toBe(0);
  });

  it("keeps a real process alive after a rejection nobody handled (Node's default is to exit)", async () => {
    const script = (install: boolean) =>
      [
        `const { catchUnhandledRejections, UnhandledRejections } = await import(${JSON.stringify(path.join(ROOT, "src/health/unhandled-rejections.ts"))});`,
        `const { createLogger } = await import(${JSON.stringify(path.join(ROOT, "src/log/logger.ts"))});`,
        `const rejections = new UnhandledRejections(createLogger({ secrets: [], destination: process.stderr }));`,
        install ? `catchUnhandledRejections(process, (reason) => rejections.record(reason));` : "",
        `Promise.reject(new Error("nobody handles this"));`,
        `setTimeout(() => { console.log("alive: " + rejections.problem()); }, 200);`,
      ].join("\n");
    const run = async (install: boolean) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "--input-type=module", "-e", script(install)],
        {
          cwd: ROOT,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, "exit")) as [number | null];
      return { code, stdout, stderr };
    };
    const handled = await run(true);
    expect(handled.code, handled.stderr).toBe(0);
    expect(handled.stdout).toBe(
      "alive: 1 unhandled promise rejection(s) since start, the first: Error: nobody handles this\n",
    );
    expect(handled.stderr).toContain("unhandled promise rejection");
    expect(handled.stderr).toContain("nobody handles this");
    const unhandled = await run(false);
    expect(unhandled.code).toBe(1);
    expect(unhandled.stdout).toBe("");
  });

  it("turns a daemon's /healthz 503, naming the rejection, and counts it in /metrics", async () => {
    const dags = await cleanup.tempDir("dags");
    const api = await startTestDaemon(cleanup, ["--dags", dags, "--executor", "local"]);
    expect((await api.request("/healthz")).status).toBe(200);
    api.daemon.unhandledRejection(new Error("a promise nobody awaited"));
    const health = await api.request("/healthz");
    expect(health.status).toBe(503);
    expect(health.body.reason).toBe(
      "1 unhandled promise rejection(s) since start, the first: Error: a promise nobody awaited",
    );
    expect(health.body.checks.unhandled).toEqual({ ok: false, detail: health.body.reason });
    const metrics = await api.request("/metrics");
    expect(metrics.text).toMatch(/^updraft_unhandled_rejections_total 1$/m);
    expect(
      api.logs.some((line) => line.includes("a promise nobody awaited") && line.includes('"stack"')),
    ).toBe(true);
  });
});
