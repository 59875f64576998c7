import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cp, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Cleanup } from "../../support/cleanup.ts";
import { type WaitOptions, waitFor } from "../../support/wait-for.ts";
import {
  killLeftoverTasks,
  killProcess,
  MARKER_VARIABLE,
  markedProcesses,
  type ProcessIdentity,
} from "./processes.ts";
import { jsonOrUndefined } from "../../support/json-text.ts";

export type { ProcessIdentity } from "./processes.ts";
export { identify, isAlive } from "./processes.ts";

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = path.join(REPO_ROOT, "bin", "updraft.mjs");
/** Polling for these tests: every 150 ms, up to 30 s (a loaded 2-core machine loads DAGs slowly). */
export const POLL: WaitOptions = { everyMs: 150, timeoutMs: 30_000 };

export interface ApiResponse {
  status: number;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, read field by field in the tests.
  body: any;
}

export interface TaskView {
  id: string;
  state: string;
  try: number;
  exitCode: number | null;
  reason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  result: unknown;
  tries: Array<{
    try: number;
    state: string;
    startedAt: string | null;
    endedAt: string | null;
    exitCode: number | null;
    reason: string | null;
  }>;
}

/** `GET /api/runs/:runId`. */
export interface RunView {
  id: string;
  dagId: string;
  state: string;
  trigger: string;
  conf: Record<string, unknown>;
  tasks: TaskView[];
}

/** `updraft run` started as a real child process; its stdout and stderr are kept for diagnostics. */
export interface DaemonProcess {
  readonly pid: number;
  /** Live processes this daemon started that inherit its environment (DAG loaders, tsx's esbuild). */
  helpers(): Promise<ProcessIdentity[]>;
  readonly url: string;
  readonly stateDir: string;
  output(): string;
  request(urlPath: string, init?: RequestInit): Promise<ApiResponse>;
  post(urlPath: string, body?: unknown): Promise<ApiResponse>;
  run(runId: string): Promise<RunView>;
  /** Waits until the run satisfies `accept`, and returns it. */
  waitForRun(runId: string, what: string, accept: (run: RunView) => boolean): Promise<RunView>;
  /** Waits until every id in `dagIds` is loaded. */
  waitForDags(dagIds: readonly string[]): Promise<void>;
  /** SIGKILL, then waits for the exit. */
  kill9(): Promise<void>;
  /** Sends `signal` (SIGTERM, say); `exited` tells how it ended. */
  signal(signal: NodeJS.Signals): void;
  readonly exited: Promise<ExitStatus>;
}

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

/** An `updraft` process started by a test, and everything it started that inherits its environment. */
export interface SpawnedCli {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  readonly exited: Promise<ExitStatus>;
  /** How it exited, once it has. */
  exitStatus(): ExitStatus | undefined;
  /** SIGKILL, then waits for the exit. */
  kill9(): Promise<void>;
  /** Live processes it started that inherit its environment (DAG loaders, tsx's esbuild). */
  helpers(): Promise<ProcessIdentity[]>;
}

function cliEnv(): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("UPDRAFT_")));
}

/**
 * Starts `node bin/updraft.mjs <args>` without any UPDRAFT_* variables from the test's environment.
 * Cleanup SIGKILLs it and every process it left behind.
 */
export function spawnCli(
  cleanup: Cleanup,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): SpawnedCli {
  const marker = randomUUID();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...cliEnv(), ...env, [MARKER_VARIABLE]: marker },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn updraft ${args.join(" ")}`);
  let text = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  let status: ExitStatus | undefined;
  const exited = new Promise<ExitStatus>((resolve) =>
    child.once("exit", (code, signal) => {
      status = { code, signal };
      resolve(status);
    }),
  );
  const kill9 = async () => {
    if (status) return;
    child.kill("SIGKILL");
    await exited;
  };
  const helpers = async () => (await markedProcesses(marker)).filter((p) => p.pid !== pid);
  cleanup.defer(async () => {
    for (const helper of await helpers()) killProcess(helper.pid);
  });
  cleanup.defer(kill9);
  return { child, pid, output: () => text, exited, exitStatus: () => status, kill9, helpers };
}

/** `updraft trigger …` as a user types it; resolves with its exit code and output. */
export async function runTriggerCli(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, "trigger", ...args], {
      cwd: REPO_ROOT,
      env: cliEnv(),
      timeout: 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** `updraft run` over `source` (`--dags <dir>`, `--repo <url> …`) on loopback and a free port. */
export function runArgs(
  source: readonly string[],
  stateDir: string,
  extraArgs: readonly string[] = [],
): string[] {
  return ["run", ...source, "--state-dir", stateDir, "--host", "127.0.0.1", "--port", "0", ...extraArgs];
}

/**
 * The URL in the "updraft listening" log line of a spawned `updraft run`; fails (with its output)
 * if it exits first or `wait` runs out.
 */
export function listeningUrl(cli: SpawnedCli, wait: WaitOptions = POLL): Promise<string> {
  return waitFor(
    "the daemon's 'updraft listening' log line",
    () => {
      const exit = cli.exitStatus();
      if (exit) throw new Error(`the daemon exited (${JSON.stringify(exit)}) before listening`);
      for (const line of cli.output().split("\n")) {
        if (!line.includes('"updraft listening"')) continue;
        const parsed = JSON.parse(line) as { url?: string };
        if (parsed.url) return parsed.url;
      }
      return undefined;
    },
    { ...wait, details: () => cli.output() },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\ndaemon output:\n${cli.output()}`);
  });
}

/**
 * Starts `updraft run --dags <dagsDir> --state-dir <stateDir> --port 0` and reads the URL from its
 * "updraft listening" log line. Cleanup SIGKILLs the daemon and any task process it left behind.
 */
export async function startDaemonProcess(
  cleanup: Cleanup,
  options: {
    dagsDir: string;
    stateDir: string;
    /** More `updraft run` flags (e.g. `--executor kubernetes`). */
    extraArgs?: readonly string[];
    /** More environment for the daemon (e.g. KUBECONFIG). */
    env?: Readonly<Record<string, string>>;
  },
): Promise<DaemonProcess> {
  // Registered first, so it runs last: task processes are found through their pid files.
  cleanup.defer(() => killLeftoverTasks(options.stateDir));
  const cli = spawnCli(
    cleanup,
    runArgs(["--dags", options.dagsDir], options.stateDir, options.extraArgs),
    options.env,
  );

  const url = await listeningUrl(cli);

  const request = async (urlPath: string, init?: RequestInit): Promise<ApiResponse> => {
    const response = await fetch(`${url}${urlPath}`, { ...init, signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    return { status: response.status, text, body: jsonOrUndefined(text) };
  };
  const run = async (runId: string): Promise<RunView> => {
    const response = await request(`/api/runs/${encodeURIComponent(runId)}`);
    if (response.status !== 200)
      throw new Error(`GET run ${runId} answered ${response.status}: ${response.text}`);
    return response.body as RunView;
  };
  return {
    pid: cli.pid,
    helpers: cli.helpers,
    url,
    stateDir: options.stateDir,
    output: cli.output,
    request,
    post: (urlPath, body) =>
      request(urlPath, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: body === undefined ? "" : JSON.stringify(body),
      }),
    run,
    waitForRun: (runId, what, accept) =>
      waitFor(
        `run ${runId}: ${what}`,
        async () => {
          const current = await run(runId);
          return accept(current) ? current : undefined;
        },
        { ...POLL, details: () => run(runId).catch((error: Error) => error.message) },
      ),
    async waitForDags(dagIds) {
      await waitFor(
        `DAGs ${dagIds.join(", ")} loaded`,
        async () => {
          const response = await request("/api/dags");
          const loaded = new Set((response.body as Array<{ id: string }>).map((dag) => dag.id));
          return dagIds.every((id) => loaded.has(id)) ? true : undefined;
        },
        { ...POLL, details: async () => ({ dags: (await request("/api/dags")).text, output: cli.output() }) },
      );
    },
    kill9: cli.kill9,
    signal: (signal) => void cli.child.kill(signal),
    exited: cli.exited,
  };
}

/** A copy of the repository's example DAGs in `dir`, plus extra DAG modules (file → source). */
export async function copyExampleDags(dir: string, extra: Record<string, string> = {}): Promise<string> {
  const dagsDir = path.join(dir, "dags");
  await cp(path.join(REPO_ROOT, "dags"), dagsDir, { recursive: true });
  for (const [file, source] of Object.entries(extra)) await writeFile(path.join(dagsDir, file), source);
  return dagsDir;
}

export function task(run: RunView, taskId: string): TaskView {
  const found = run.tasks.find((t) => t.id === taskId);
  if (!found) throw new Error(`run ${run.id} has no task ${taskId}: ${JSON.stringify(run.tasks)}`);
  return found;
}

export function logDir(stateDir: string, dagId: string, runId: string, taskId: string): string {
  return path.join(stateDir, "logs", dagId, runId, taskId);
}
