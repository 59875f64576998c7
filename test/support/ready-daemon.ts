import type { Cleanup } from "./cleanup.ts";
import { writeFiles } from "./dag-folders.ts";
import { startTestDaemon, type TestDaemon, type TestDaemonOptions } from "./test-daemon.ts";
import { waitFor } from "./wait-for.ts";

/** Waits until the daemon's first DAG load finished (`/readyz` answers 200). */
export function waitForReady(daemon: Pick<TestDaemon, "request">): Promise<true> {
  return waitFor("the first DAG load", async () =>
    (await daemon.request("/readyz")).status === 200 ? true : undefined,
  );
}

/** `startTestDaemon`, returned once its first DAG load finished. */
export async function startReadyDaemon(
  cleanup: Cleanup,
  args: readonly string[],
  options: TestDaemonOptions = {},
): Promise<TestDaemon> {
  const daemon = await startTestDaemon(cleanup, args, options);
  await waitForReady(daemon);
  return daemon;
}

/**
 * A ready daemon in local-folder mode over a fresh temp folder (prefix `prefix`) holding `dags`
 * (relative path -> module text); `args` are more `updraft run` flags.
 */
export async function startFolderDaemon(
  cleanup: Cleanup,
  prefix: string,
  dags: Readonly<Record<string, string>>,
  args: readonly string[] = [],
): Promise<{ daemon: TestDaemon; dagsDir: string }> {
  const dagsDir = await cleanup.tempDir(prefix);
  await writeFiles(dagsDir, dags);
  const daemon = await startReadyDaemon(cleanup, ["--dags", dagsDir, ...args]);
  return { daemon, dagsDir };
}
