/** `updraft run` as a child process for benchmarks, and the bits of its HTTP API they need. */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** The CLI as users start it. */
export const CLI = fileURLToPath(new URL("../../bin/updraft.mjs", import.meta.url));
const STOP_GRACE_MS = 5_000;

export interface DaemonProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Every JSON log line written so far, parsed. */
  readonly logs: Array<Record<string, unknown>>;
  getJson<T>(route: string): Promise<T>;
  /** Sends a GitHub push webhook for `ref`, signed with `secret`; returns the status code. */
  pushWebhook(secret: string, ref: string, after: string): Promise<number>;
  /** SIGTERM, then SIGKILL after a grace period; waits for the exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Which script starts the CLI, and with which Node flags (the bin's shebang ones, say). */
export interface Launch {
  cli: string;
  nodeFlags: readonly string[];
}

/**
 * Spawns `node bin/updraft.mjs run <args> --port 0` (or `launch`) and resolves once its "updraft
 * listening" log line names the URL. `env` replaces the environment (TMPDIR, say).
 */
export async function startDaemonProcess(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 30_000,
  launch: Launch = { cli: CLI, nodeFlags: [] },
): Promise<DaemonProcess> {
  const command = [...launch.nodeFlags, launch.cli, "run", ...args, "--host", "127.0.0.1", "--port", "0"];
  const child = spawn(process.execPath, command, {
    cwd: path.dirname(path.dirname(CLI)),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = once(child, "exit");
  const logs: Array<Record<string, unknown>> = [];
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`updraft did not listen within ${timeoutMs} ms`)),
      timeoutMs,
    );
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (text) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(text);
      } catch {
        return;
      }
      logs.push(entry);
      if (entry.msg === "updraft listening" && typeof entry.url === "string") {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`updraft exited (code ${code}) before listening: ${stderr}`));
    });
  });

  let stopping: Promise<void> | undefined;
  return {
    url,
    child,
    logs,
    async getJson<T>(route: string): Promise<T> {
      const response = await fetch(`${url}${route}`);
      if (!response.ok) throw new Error(`GET ${route} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    },
    async pushWebhook(secret, ref, after) {
      const body = JSON.stringify({
        ref,
        before: "0".repeat(40),
        after,
        repository: { full_name: "bench/dags", default_branch: "main" },
      });
      const response = await fetch(`${url}/webhooks/github`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "push",
          "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
        },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    },
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

interface DagDetailBody {
  commit: string | null;
  definition: { description?: string };
}
/** The parts of `GET /api/status` the benches read. */
export interface StatusBody {
  sync: { nextSyncAt: string | null; lastAttemptedCommit: { sha: string } | null; lastError: string | null };
  dags: { total: number };
}

/** Waits for `/readyz` to answer 200 (the first load applied) and returns `/api/status`. */
export async function waitReady(daemon: DaemonProcess, timeoutMs = 120_000): Promise<StatusBody> {
  await pollUntil(
    "/readyz",
    async () => ((await fetch(`${daemon.url}/readyz`)).status === 200 ? true : undefined),
    { everyMs: 20, timeoutMs },
  );
  return daemon.getJson<StatusBody>("/api/status");
}

/**
 * Asks `GET /api/dags/:id` every `everyMs` until the DAG's description is `description`; returns
 * the commit the DAG was then loaded from and how many requests it took.
 */
export async function waitForDescription(
  daemon: DaemonProcess,
  id: string,
  description: string,
  everyMs: number,
): Promise<{ commit: string | null; probes: number }> {
  const route = `/api/dags/${encodeURIComponent(id)}`;
  let probes = 0;
  const dag = await pollUntil(
    `${id} described as "${description}"`,
    async () => {
      probes += 1;
      const detail = await daemon.getJson<DagDetailBody>(route);
      return detail.definition.description === description ? detail : undefined;
    },
    { everyMs, timeoutMs: 30_000 },
  );
  return { commit: dag.commit, probes };
}

/** Waits until the sync of `sha` is over, snapshot pruning included (the next poll is then scheduled). */
export async function waitIdleAfter(daemon: DaemonProcess, sha: string): Promise<void> {
  await pollUntil(
    `the sync of ${sha} to finish`,
    async () => {
      const { sync } = await daemon.getJson<StatusBody>("/api/status");
      return sync.nextSyncAt !== null && sync.lastAttemptedCommit?.sha === sha ? true : undefined;
    },
    { everyMs: 10, timeoutMs: 30_000 },
  );
}

/** Calls `probe` every `everyMs` until it returns a value; throws after `timeoutMs`. */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { everyMs: number; timeoutMs: number },
): Promise<T> {
  const deadline = performance.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${what}`);
    await sleep(options.everyMs);
  }
}
