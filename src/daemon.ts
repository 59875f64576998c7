import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { RunConfig } from "./config/run-config.ts";
import { DagRegistry } from "./dags/dag-registry.ts";
import { LoaderPool } from "./dags/loader/loader-pool.ts";
import { Heartbeat } from "./health/heartbeat.ts";
import type { Logger } from "./log.ts";
import { createApp } from "./server/app.ts";
import type { HealthReport } from "./server/app-deps.ts";
import { splitCredentials } from "./sync/credentials.ts";
import { FolderSync } from "./sync/folder-sync.ts";
import { GitMirror } from "./sync/git-mirror.ts";
import { GitSync } from "./sync/git-sync.ts";
import type { DagSource, SyncRecord } from "./sync/sync-status.ts";
import { VERSION } from "./version.ts";

const SYNC_HISTORY = 200;
const LOOP_BEAT_MS = 1000;

export interface Daemon {
  readonly app: Hono;
  readonly registry: DagRegistry;
  readonly source: DagSource;
  /** Where the HTTP server listens (after start). */
  url(): string;
  start(): Promise<void>;
  /** Stops syncing and serving; safe to call more than once. */
  stop(): Promise<void>;
}

/** The composition root: wires config to the loader, the DAG source, the registry and the HTTP server. */
export function createDaemon(config: Readonly<RunConfig>, log: Logger): Daemon {
  const registry = new DagRegistry();
  const pool = new LoaderPool(config.loader, { prewarm: true });
  const history: SyncRecord[] = [];
  const onSync = (record: SyncRecord) => {
    history.push(record);
    if (history.length > SYNC_HISTORY) history.shift();
    const fields = {
      sha: record.sha,
      previousSha: record.previousSha,
      durationMs: record.durationMs,
      changes: record.changes,
    };
    if (record.ok) log.info(fields, "sync applied");
    else log.warn({ ...fields, error: record.error }, "sync failed");
  };
  const credentials =
    config.source.kind === "git" ? splitCredentials(config.source.repo, config.gitToken) : undefined;
  const secrets = [credentials?.token, config.apiToken, config.webhookSecret];
  let gitSync: GitSync | undefined;
  let source: DagSource;
  if (config.source.kind === "git" && credentials) {
    gitSync = new GitSync({
      mirror: new GitMirror({
        url: credentials.url,
        dir: path.join(config.stateDir, "git"),
        username: credentials.username,
        token: credentials.token,
      }),
      pool,
      registry,
      repo: credentials.url,
      branch: config.source.branch,
      dagsDir: config.source.dagsDir,
      snapshotsDir: path.join(config.stateDir, "snapshots"),
      intervalMs: config.intervalMs,
      secrets,
      onSync,
    });
    source = gitSync;
  } else {
    source = new FolderSync({
      dir: config.source.kind === "folder" ? config.source.dir : ".",
      pool,
      registry,
      onSync,
    });
  }
  const loop = new Heartbeat("the daemon's event loop", 10_000);
  const health = (): HealthReport => {
    const stalled = loop.stalledFor();
    return {
      ok: !stalled,
      ...(stalled ? { reason: stalled } : {}),
      checks: { loop: { ok: !stalled, ...(stalled ? { detail: stalled } : {}) } },
    };
  };
  const app = createApp({
    registry,
    source,
    syncHistory: () => history,
    health,
    auth: { apiToken: config.apiToken, listensOnLoopback: isLoopback(config.host) },
    webhookSecret: config.webhookSecret,
    followedBranch: () => gitSync?.branch,
    version: VERSION,
  });
  let server: ServerType | undefined;
  let beat: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;
  let address: AddressInfo | undefined;

  return {
    app,
    registry,
    source,
    url: () =>
      address
        ? `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`
        : "",
    async start() {
      await mkdir(config.stateDir, { recursive: true });
      beat = setInterval(() => loop.beat(), LOOP_BEAT_MS);
      await new Promise<void>((resolve, reject) => {
        server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
          address = info;
          resolve();
        });
        server.once("error", reject);
      });
      log.info(
        { url: this.url(), source: source.status().repo, mode: source.status().mode },
        "updraft listening",
      );
      await source.start();
    },
    stop() {
      stopping ??= (async () => {
        clearInterval(beat);
        await source.stop();
        await pool.close();
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      })();
      return stopping;
    },
  };
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
