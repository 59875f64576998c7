// Real `updraft run --executor kubernetes` processes with leader election, against the fake API server.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { Cleanup } from "../../support/cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { type DaemonProcess, startDaemonProcess, POLL } from "../../daemon/support/daemon-process.ts";
import { activeStateOnDisk } from "../../support/active-state-on-disk.ts";

export const LEASE_NAMESPACE = "default";
export const LEASE_NAME = "updraft-leader";

/** `/api/status`'s `leader`. */
export interface LeaderView {
  enabled: boolean;
  isLeader: boolean;
  identity: string | null;
  holder: string | null;
}

export interface LeaseTimingFlags {
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
}

/** A daemon with identity `name` (POD_NAME) in namespace `default` (POD_NAMESPACE). */
export function startElectingDaemon(
  cleanup: Cleanup,
  options: {
    name: string;
    dagsDir: string;
    stateDir: string;
    kubeconfig: string;
    timing: LeaseTimingFlags;
    extraArgs?: readonly string[];
  },
): Promise<DaemonProcess> {
  return startDaemonProcess(cleanup, {
    dagsDir: options.dagsDir,
    stateDir: options.stateDir,
    extraArgs: [
      "--executor",
      "kubernetes",
      "--namespace",
      "default",
      "--lease-duration",
      options.timing.leaseDuration,
      "--renew-deadline",
      options.timing.renewDeadline,
      "--retry-period",
      options.timing.retryPeriod,
      ...(options.extraArgs ?? []),
    ],
    env: { KUBECONFIG: options.kubeconfig, POD_NAME: options.name, POD_NAMESPACE: LEASE_NAMESPACE },
  });
}

export async function leaderOf(daemon: DaemonProcess): Promise<LeaderView> {
  const response = await daemon.request("/api/status");
  if (response.status !== 200)
    throw new Error(`GET /api/status answered ${response.status}: ${response.text}`);
  return (response.body as { leader: LeaderView }).leader;
}

export function waitForRole(daemon: DaemonProcess, isLeader: boolean): Promise<LeaderView> {
  return waitFor(
    `${daemon.url} to be ${isLeader ? "the leader" : "a standby"}`,
    async () => {
      const view = await leaderOf(daemon);
      return view.isLeader === isLeader ? view : undefined;
    },
    {
      ...POLL,
      details: async () => ({ leader: await leaderOf(daemon).catch(String), output: daemon.output() }),
    },
  );
}

export interface StoredRun {
  id: string;
  dagId: string;
  trigger: string;
  logicalDate: string;
  queuedAt: string;
  state: string;
}

/** Every run a daemon stored (active and finished), read from its state dir: works after it died. */
export async function runsOnDisk(stateDir: string): Promise<StoredRun[]> {
  const read = async (file: string) => JSON.parse(await readFile(file, "utf8")) as unknown;
  const active = await activeStateOnDisk<{ runs: Record<string, StoredRun> }>(stateDir);
  // A daemon killed between the two writes of an archive leaves a run in both files; it is one run
  // (the store reconciles it on load): listed once, its history copy winning as there.
  const runs = new Map(Object.values(active.runs).map((run) => [run.id, run]));
  const historyDir = path.join(stateDir, "runs");
  for (const file of await readdir(historyDir).catch(() => [] as string[])) {
    if (!file.endsWith(".json")) continue;
    for (const run of ((await read(path.join(historyDir, file))) as { runs: StoredRun[] }).runs)
      runs.set(run.id, run);
  }
  return [...runs.values()];
}

/** The `time` of the first log line with this message, or undefined. */
export function logTime(output: string, message: string): number | undefined {
  for (const line of output.split("\n")) {
    if (!line.includes(JSON.stringify(message))) continue;
    return (JSON.parse(line) as { time: number }).time;
  }
  return undefined;
}
