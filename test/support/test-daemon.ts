import { Writable } from "node:stream";
import { readFlags } from "../../src/config/flags.ts";
import { RUN_FLAGS, runConfigFrom } from "../../src/config/run-config.ts";
import { createDaemon, type Daemon } from "../../src/daemon.ts";
import type { LoadError } from "../../src/dags/loader/load-error.ts";
import { type Clock, systemClock } from "../../src/leader/clock.ts";
import { createLogger } from "../../src/log/logger.ts";
import { runSecrets } from "../../src/config/run-secrets.ts";
import type { StateWriter } from "../../src/store/durable-write.ts";
import type { dagDetail, dagSummary } from "../../src/server/views/dag-view.ts";
import type { SyncRecord, SyncStatus } from "../../src/sync/sync-status.ts";
import type { Cleanup } from "./cleanup.ts";
import { jsonOrUndefined } from "./json-text.ts";
import { type WaitOptions, waitFor } from "./wait-for.ts";

/** `GET /api/status` as JSON. */
export interface StatusBody {
  sync: SyncStatus;
  dags: { total: number; paused: number; importErrors: number };
  runs: { running: number; queued: number };
  version: string;
}
export type DagSummaryBody = ReturnType<typeof dagSummary>;
export type DagDetailBody = ReturnType<typeof dagDetail>;
export type ImportErrorBody = LoadError & { commit: string | null };

export interface ApiResponse {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, narrowed by the typed getters below.
  body: any;
}

/** A daemon started in-process as `updraft run <args>` would start it, with its log captured. */
export interface TestDaemon {
  readonly daemon: Daemon;
  readonly url: string;
  readonly stateDir: string;
  /** Every log line written so far (JSON text). */
  readonly logs: string[];
  /** Every response body this harness has read from the API. */
  readonly responses: string[];
  request(path: string, init?: RequestInit): Promise<ApiResponse>;
  status(): Promise<StatusBody>;
  dags(): Promise<DagSummaryBody[]>;
  dag(id: string): Promise<DagDetailBody>;
  importErrors(): Promise<ImportErrorBody[]>;
  /** Sync records, oldest first (the API lists newest first). */
  syncs(): Promise<SyncRecord[]>;
  /** `POST /api/sync` (the server listens on loopback without an API token); expects 202. */
  requestSync(): Promise<void>;
  /** Waits for the sync record of commit `sha` (written once that commit's DAGs are applied). */
  waitForSync(sha: string, options?: WaitOptions): Promise<SyncRecord>;
  /** Waits until `/api/status` satisfies `accept`, and returns it. */
  waitForStatus(
    what: string,
    accept: (status: StatusBody) => boolean,
    options?: WaitOptions,
  ): Promise<StatusBody>;
  /** Git mode: waits until no sync runs or is queued (the next poll is scheduled). */
  waitForIdle(): Promise<StatusBody>;
  stop(): Promise<void>;
}

export interface TestDaemonOptions {
  /** Environment as the CLI would see it (UPDRAFT_GIT_TOKEN, say); the daemon sees it over `process.env`. */
  env?: Record<string, string>;
  /** Start the daemon (first sync included) before returning; default true. */
  start?: boolean;
  /** Replaces how state files are written (a fake that fails, say). */
  stateWriter?: StateWriter;
  /** The daemon's clock (default: the system clock). */
  clock?: Clock;
}

/**
 * Parses `args` exactly as `updraft run` does (adding a free port, loopback host, a 1 s poll
 * interval, a small load timeout and a temp state dir unless given) and starts the daemon.
 */
export async function startTestDaemon(
  cleanup: Cleanup,
  args: readonly string[],
  options: TestDaemonOptions = {},
): Promise<TestDaemon> {
  const env = options.env ?? {};
  const defaults: Record<string, string> = {
    "--host": "127.0.0.1",
    "--port": "0",
    "--interval": "1s",
    "--load-timeout": "10s",
  };
  const withDefaults = [...args];
  for (const [flag, value] of Object.entries(defaults))
    if (!args.includes(flag)) withDefaults.push(flag, value);
  if (!args.includes("--state-dir")) withDefaults.push("--state-dir", await cleanup.tempDir("state"));
  const { values } = readFlags(withDefaults, env, RUN_FLAGS);
  const config = runConfigFrom(values, env);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  // The same secrets the CLI hands its logger.
  const log = createLogger({ secrets: runSecrets(config), destination });
  // As the CLI's: the process's environment (the cluster, say) with the test's on top.
  const daemon = createDaemon(
    config,
    log,
    {},
    {
      env: { ...process.env, ...env },
      clock: options.clock ?? systemClock,
      ...(options.stateWriter ? { stateWriter: options.stateWriter } : {}),
    },
  );
  cleanup.defer(() => daemon.stop());
  if (options.start ?? true) await daemon.start();
  const responses: string[] = [];

  const request = async (path: string, init?: RequestInit): Promise<ApiResponse> => {
    const response = await fetch(`${daemon.url()}${path}`, init);
    const text = await response.text();
    responses.push(text);
    return { status: response.status, text, body: jsonOrUndefined(text) };
  };
  const getJson = async (path: string) => {
    const response = await request(path);
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}: ${response.text}`);
    return response.body;
  };
  const status = (): Promise<StatusBody> => getJson("/api/status");
  const waitForStatus: TestDaemon["waitForStatus"] = (what, accept, waitOptions) =>
    waitFor(
      what,
      async () => {
        const current = await status();
        return accept(current) ? current : undefined;
      },
      { details: async () => (await status()).sync, ...waitOptions },
    );
  const syncs = async (): Promise<SyncRecord[]> => [...(await getJson("/api/syncs?limit=1000"))].reverse();

  return {
    daemon,
    get url() {
      return daemon.url();
    },
    stateDir: config.stateDir,
    logs,
    responses,
    request,
    status,
    dags: () => getJson("/api/dags"),
    dag: (id) => getJson(`/api/dags/${encodeURIComponent(id)}`),
    importErrors: () => getJson("/api/import-errors"),
    syncs,
    async requestSync() {
      const response = await request("/api/sync", { method: "POST" });
      if (response.status !== 202)
        throw new Error(`POST /api/sync answered ${response.status}: ${response.text}`);
    },
    waitForSync(sha, waitOptions) {
      return waitFor(
        `the sync record of ${sha}`,
        async () => (await syncs()).findLast((r) => r.sha === sha),
        {
          details: async () => ({ status: (await status()).sync, syncs: (await syncs()).slice(-3) }),
          ...waitOptions,
        },
      );
    },
    waitForStatus,
    waitForIdle: () => waitForStatus("no sync running or queued", (s) => s.sync.nextSyncAt !== null),
    stop: () => daemon.stop(),
  };
}
