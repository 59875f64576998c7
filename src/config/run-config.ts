import path from "node:path";
import type { LoaderLimits } from "../dags/loader/loader-pool.ts";
import { type Env, UsageError } from "./flags.ts";
import { githubConfigFrom } from "./github-config.ts";
import { kubeRateFrom } from "./kube-client-flags.ts";
import { leaderElectionFrom } from "./leader-flags.ts";
import type { RunLimits } from "./limit-flags.ts";
import { loaderLimitsFrom } from "./loader-flags.ts";
import { logStoreFrom } from "./log-store-flags.ts";
import { loginConfigFrom } from "./login-config.ts";
import { notifyConfigFrom } from "./notify-config.ts";
import { poolsFrom } from "./pool-flags.ts";
import type { RunFlagValues } from "./run-flags.ts";
import { secretsFrom } from "./secret-files.ts";

export { RUN_FLAGS, type RunFlagValues } from "./run-flags.ts";

/** Where the DAGs come from: `--repo` (with `--branch`, `--dags-dir`) or `--dags`. */
export type RunSource =
  | { kind: "git"; repo: string; branch: string | undefined; dagsDir: string }
  | { kind: "folder"; dir: string };

/**
 * `updraft run`'s settings from its parsed flags (`readFlags(argv, env, RUN_FLAGS).values`):
 * the rules between flags (--repo or --dags, a secret or its file, lease timings) and the defaults
 * worked out at start-up. Every single-flag default and check is in RUN_FLAGS.
 */
function assemble(values: RunFlagValues, env: Env) {
  const { repo, dags } = values;
  if (repo && dags)
    throw new UsageError(
      "give either --repo (follow a git branch) or --dags (watch a local folder), not both",
    );
  if (!repo && !dags)
    throw new UsageError(
      "give --repo <url|path> to follow a git branch, or --dags <dir> to watch a local folder",
    );
  const executor = values.executor ?? (env.KUBERNETES_SERVICE_HOST ? "kubernetes" : "local");
  const source: RunSource = repo
    ? {
        kind: "git",
        repo: looksLikeLocalPath(repo) ? path.resolve(repo) : repo,
        branch: values.branch,
        dagsDir: values["dags-dir"],
      }
    : { kind: "folder", dir: path.resolve(dags ?? ".") };
  const secrets = secretsFrom(values, env);
  const loader: Partial<LoaderLimits> = loaderLimitsFrom(values);
  const limits: RunLimits = {
    maxConfBytes: values["max-conf-bytes"],
    maxQueuedRuns: values["max-queued-runs"],
  };
  return {
    source,
    intervalMs: values.interval,
    executor,
    namespace: values.namespace,
    /** `--pod-template`: a core/v1 Pod YAML file, the base of every task Pod (read at start-up). */
    podTemplate: values["pod-template"],
    host: values.host,
    port: values.port,
    stateDir: path.resolve(values["state-dir"]),
    apiToken: secrets.apiToken,
    /** `--read-token`: when set, every read but the probes, metrics and webhook needs it (or the API token). */
    readToken: secrets.readToken,
    webhookSecret: secrets.webhookSecret,
    /** From UPDRAFT_GIT_TOKEN (or its _FILE) only: never a flag, so it stays out of process listings. */
    gitToken: secrets.gitToken,
    loader,
    notifyUrl: values["notify-url"],
    /** `--notify-*`, UPDRAFT_SMTP_URL, `--mail-from`: daemon-wide channels and how email is sent. */
    notify: notifyConfigFrom(values, env),
    keepRuns: values["keep-runs"],
    leaderElection: leaderElectionFrom(values, executor),
    /** SIGTERM/SIGINT: how long a graceful stop may take before the process exits anyway. */
    shutdownTimeoutMs: values["shutdown-timeout"],
    /** `--max-conf-bytes`, `--max-queued-runs`. */
    limits,
    /** `--kube-qps`, `--kube-burst`: one token bucket for every request to the API server. */
    kubeRate: kubeRateFrom(values),
    /** `--auth`, `--oidc-*`, `--public-url`, `--session-ttl`, `--roles`, `--tokens-file`, `--metrics-auth`, `--audit-*`. */
    login: loginConfigFrom(values, env),
    /** `--pool NAME=N`, `--pools FILE`: slots per pool, shared by the tasks of every DAG. */
    pools: poolsFrom(values),
    /** `--github-status`, `--github-api-url`, `--github-repo`, UPDRAFT_GITHUB_TOKEN: commit statuses and page links. */
    github: githubConfigFrom(values, env, source, secrets.gitToken),
    /** `--log-store`, `--s3-*`, `--keep-local-logs`: task logs in object storage (undefined: local only). */
    logStore: logStoreFrom(values),
  };
}

/** `updraft run`'s settings, parsed once and frozen; its shape follows from RUN_FLAGS through `assemble`. */
export type RunConfig = ReturnType<typeof assemble>;

export function runConfigFrom(values: RunFlagValues, env: Env): Readonly<RunConfig> {
  return Object.freeze(assemble(values, env));
}

function looksLikeLocalPath(repo: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:\/\//i.test(repo) && !/^[^/]+@[^/]+:/.test(repo);
}
