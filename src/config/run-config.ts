import path from "node:path";
import type { LoaderLimits } from "../dags/loader/loader-pool.ts";
import { parseDuration } from "../dags/spec/duration.ts";
import { LEADER_FLAGS, type LeaderElectionConfig, leaderElectionFrom } from "./leader-flags.ts";
import { type FlagDefinition, UsageError } from "./flags.ts";
import { LIMIT_FLAGS, type RunLimits, runLimitsFrom } from "./limit-flags.ts";
import { LOADER_FLAGS, loaderLimitsFrom } from "./loader-flags.ts";
import { SECRET_FLAGS, secretsFrom } from "./secret-flags.ts";

/** Every flag of `updraft run` (each also read from `UPDRAFT_<FLAG>`). The README's reference lists these. */
export const RUN_FLAGS: readonly FlagDefinition[] = [
  { name: "repo", type: "string", description: "Git remote to follow: https, ssh, file:// or a local path." },
  {
    name: "branch",
    type: "string",
    defaultText: "the remote's default branch",
    description: "Branch to follow.",
  },
  {
    name: "dags-dir",
    type: "string",
    default: ".",
    description: "Folder inside the repository where DAG discovery starts.",
  },
  {
    name: "dags",
    type: "string",
    description: "Local-folder mode instead of --repo: no git; the folder is watched and reloaded on change.",
  },
  {
    name: "interval",
    type: "string",
    default: "30s",
    description: "Poll period (e.g. 30s, 5m), with a little jitter.",
  },
  {
    name: "executor",
    type: "string",
    defaultText: "`kubernetes` inside a cluster (`KUBERNETES_SERVICE_HOST` set), else `local`",
    description: "Where tasks run: local or kubernetes.",
  },
  {
    name: "namespace",
    type: "string",
    defaultText: "the kubeconfig context's (in a cluster: the service account's), else `default`",
    description: "Namespace for task pods when a task names none.",
  },
  { name: "host", type: "string", default: "127.0.0.1", description: "Address the HTTP server listens on." },
  { name: "port", type: "string", default: "8080", description: "Port the HTTP server listens on." },
  {
    name: "state-dir",
    type: "string",
    default: "./.updraft",
    description: "State, task logs, git mirror and snapshots.",
  },
  ...SECRET_FLAGS,
  {
    name: "notify-url",
    type: "string",
    description: "URL that receives a JSON POST (Slack-compatible) whenever a task fails for good.",
  },
  {
    name: "keep-runs",
    type: "string",
    default: "100",
    description: "Finished runs kept per DAG in the state directory.",
  },
  {
    name: "shutdown-timeout",
    type: "string",
    default: "20s",
    description:
      "On SIGTERM/SIGINT, how long a graceful stop may take before the process exits anyway (keep it below the Pod's terminationGracePeriodSeconds).",
  },
  ...LIMIT_FLAGS,
  ...LEADER_FLAGS,
  ...LOADER_FLAGS,
];

/** `updraft run`'s settings, parsed once and frozen. */
export interface RunConfig {
  source:
    | { kind: "git"; repo: string; branch: string | undefined; dagsDir: string }
    | { kind: "folder"; dir: string };
  intervalMs: number;
  executor: "local" | "kubernetes";
  namespace: string | undefined;
  host: string;
  port: number;
  stateDir: string;
  apiToken: string | undefined;
  /** `--read-token`: when set, every read but the probes, metrics and webhook needs it (or the API token). */
  readToken: string | undefined;
  webhookSecret: string | undefined;
  /** From UPDRAFT_GIT_TOKEN (or its _FILE) only: never a flag, so it stays out of process listings. */
  gitToken: string | undefined;
  loader: Partial<LoaderLimits>;
  notifyUrl: string | undefined;
  keepRuns: number;
  leaderElection: LeaderElectionConfig;
  /** SIGTERM/SIGINT: how long a graceful stop may take before the process exits anyway. */
  shutdownTimeoutMs: number;
  /** `--max-conf-bytes`, `--max-queued-runs`. */
  limits: RunLimits;
}

export function runConfigFrom(
  values: Record<string, string | boolean | undefined>,
  env: Readonly<Record<string, string | undefined>>,
): Readonly<RunConfig> {
  const text = (name: string) => {
    const value = values[name];
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const repo = text("repo");
  const dags = text("dags");
  if (repo && dags)
    throw new UsageError(
      "give either --repo (follow a git branch) or --dags (watch a local folder), not both",
    );
  if (!repo && !dags)
    throw new UsageError(
      "give --repo <url|path> to follow a git branch, or --dags <dir> to watch a local folder",
    );
  const interval = text("interval") ?? "30s";
  const intervalMs = parseDuration(interval);
  if (intervalMs === undefined || intervalMs < 1000)
    throw new UsageError(`--interval: "${interval}" is not a duration of at least 1s (e.g. "30s", "5m")`);
  const executor = text("executor") ?? (env.KUBERNETES_SERVICE_HOST ? "kubernetes" : "local");
  if (executor !== "local" && executor !== "kubernetes")
    throw new UsageError(`--executor: "${executor}" is not one of local, kubernetes`);
  const portText = text("port") ?? "8080";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port: "${portText}" is not a port number (0-65535)`);
  const keepRunsText = text("keep-runs") ?? "100";
  const keepRuns = Number(keepRunsText);
  if (!Number.isInteger(keepRuns) || keepRuns < 1)
    throw new UsageError(`--keep-runs: "${keepRunsText}" is not a whole number ≥ 1`);
  const notifyUrl = text("notify-url");
  if (notifyUrl && !/^https?:\/\//.test(notifyUrl))
    throw new UsageError(`--notify-url: "${notifyUrl}" is not an http(s) URL`);
  const shutdownTimeout = text("shutdown-timeout") ?? "20s";
  const shutdownTimeoutMs = parseDuration(shutdownTimeout);
  if (shutdownTimeoutMs === undefined || shutdownTimeoutMs < 1000)
    throw new UsageError(
      `--shutdown-timeout: "${shutdownTimeout}" is not a duration of at least 1s (e.g. "20s")`,
    );
  const source: RunConfig["source"] = repo
    ? {
        kind: "git",
        repo: looksLikeLocalPath(repo) ? path.resolve(repo) : repo,
        branch: text("branch"),
        dagsDir: text("dags-dir") ?? ".",
      }
    : { kind: "folder", dir: path.resolve(dags ?? ".") };
  return Object.freeze({
    source,
    intervalMs,
    executor,
    namespace: text("namespace"),
    host: text("host") ?? "127.0.0.1",
    port,
    stateDir: path.resolve(text("state-dir") ?? "./.updraft"),
    ...secretsFrom(text, env),
    loader: loaderLimitsFrom(values),
    notifyUrl,
    keepRuns,
    shutdownTimeoutMs,
    limits: runLimitsFrom(values),
    ...leaderElectionFrom(text, executor),
  });
}

function looksLikeLocalPath(repo: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && !/^[^/]+@[^/]+:/.test(repo);
}
