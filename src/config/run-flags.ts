import { DEFAULT_LEASE_TIMING } from "../leader/leader-elector.ts";
import { durationOfAtLeast, oneOf, trueOrFalse, valid, wholeNumberOfAtLeast } from "./flag-parsers.ts";
import { flag, type FlagValues, UsageError } from "./flags.ts";
import { DEFAULT_KUBE_BURST, DEFAULT_KUBE_QPS, requestsPerSecond } from "./kube-client-flags.ts";
import { DEFAULT_MAX_CONF_BYTES, DEFAULT_MAX_QUEUED_RUNS } from "./limit-flags.ts";
import { GITHUB_FLAGS } from "./github-flags.ts";
import { LOADER_FLAGS } from "./loader-flags.ts";
import { LOG_STORE_FLAGS } from "./log-store-flags.ts";
import { LOGIN_FLAGS } from "./login-flags.ts";
import { NOTIFY_FLAGS } from "./notify-flags.ts";
import { POOL_FLAGS } from "./pool-flags.ts";

const seconds = (ms: number) => `${ms / 1000}s`;
const leaseDuration = valid('is not a duration (e.g. "2s")', durationOfAtLeast(1));

/**
 * Every flag of `updraft run`, each also read from `UPDRAFT_<FLAG>`: the one place that states
 * its variable, default, parsing, error message and help. The parser, `RunConfig`, the CLI help
 * and docs/configuration.md all come from this table; rules between flags are in run-config.ts.
 */
export const RUN_FLAGS = [
  // Where the DAGs come from.
  flag({ name: "repo", description: "Git remote to follow: https, ssh, file:// or a local path." }),
  flag({ name: "branch", defaultText: "the remote's default branch", description: "Branch to follow." }),
  flag({
    name: "dags-dir",
    default: ".",
    description: "Folder inside the repository where DAG discovery starts.",
  }),
  flag({
    name: "dags",
    description: "Local-folder mode instead of --repo: no git; the folder is watched and reloaded on change.",
  }),
  flag({
    name: "interval",
    default: "30s",
    description: "Poll period (e.g. 30s, 5m), with a little jitter.",
    parse: valid('is not a duration of at least 1s (e.g. "30s", "5m")', durationOfAtLeast(1000)),
  }),
  // Where tasks run and where the server listens.
  flag({
    name: "executor",
    defaultText: "`kubernetes` inside a cluster (`KUBERNETES_SERVICE_HOST` set), else `local`",
    description: "Where tasks run: local or kubernetes.",
    parse: oneOf(["local", "kubernetes"]),
  }),
  flag({
    name: "namespace",
    defaultText: "the kubeconfig context's (in a cluster: the service account's), else `default`",
    description: "Namespace for task pods when a task names none.",
  }),
  flag({
    name: "pod-template",
    description:
      "YAML file holding a core/v1 Pod: the base of every task Pod (labels, securityContext, tolerations, serviceAccountName; defaults for the `base` container). Checked at start-up; see docs/writing-dags.md.",
  }),
  // One request budget for every call to the Kubernetes API server, as client-go's token bucket.
  flag({
    name: "kube-qps",
    default: String(DEFAULT_KUBE_QPS),
    description:
      "Requests per second the daemon sends to the Kubernetes API server, sustained (pods, logs, watches, the Lease).",
    parse: requestsPerSecond,
  }),
  flag({
    name: "kube-burst",
    default: String(DEFAULT_KUBE_BURST),
    description:
      "Requests to the Kubernetes API server that may go at once above --kube-qps after a quiet spell.",
    parse: valid("is not a whole number ≥ 1", wholeNumberOfAtLeast(1)),
  }),
  flag({ name: "host", default: "127.0.0.1", description: "Address the HTTP server listens on." }),
  flag({
    name: "port",
    default: "8080",
    description: "Port the HTTP server listens on.",
    parse: valid("is not a port number (0-65535)", (text) => {
      const port = Number(text);
      return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : undefined;
    }),
  }),
  flag({
    name: "state-dir",
    default: "./.updraft",
    description: "State, task logs, git mirror and snapshots.",
  }),
  // Secrets: each as a value or, better, as a file (neither in `ps` nor the environment).
  flag({
    name: "api-token",
    secret: true,
    description:
      "Bearer token required by write endpoints (prefer --api-token-file or the env var: a flag shows in `ps`).",
  }),
  flag({ name: "api-token-file", description: "File holding the API token (one trailing newline ignored)." }),
  flag({
    name: "read-token",
    secret: true,
    description:
      "Token every read needs (or the API token), except /healthz, /readyz, /metrics and the webhook; pages ask for it.",
  }),
  flag({
    name: "read-token-file",
    description: "File holding the read token (one trailing newline ignored).",
  }),
  flag({ name: "webhook-secret", secret: true, description: "GitHub webhook secret (HMAC-SHA256)." }),
  flag({
    name: "webhook-secret-file",
    description: "File holding the webhook secret (one trailing newline ignored).",
  }),
  // Notifications, history and shutdown.
  flag({
    name: "notify-url",
    description:
      "Webhook URL that receives every final task failure and missed schedule (with --notify-on-sync-failure, also commits that fail to load).",
    parse: valid("is not an http(s) URL", (text) => (/^https?:\/\//.test(text) ? text : undefined)),
  }),
  ...NOTIFY_FLAGS,
  flag({
    name: "keep-runs",
    default: "100",
    description: "Finished runs kept per DAG in the state directory.",
    parse: valid("is not a whole number ≥ 1", wholeNumberOfAtLeast(1)),
  }),
  flag({
    name: "shutdown-timeout",
    default: "20s",
    description:
      "On SIGTERM/SIGINT, how long a graceful stop may take before the process exits anyway (keep it below the Pod's terminationGracePeriodSeconds).",
    parse: valid('is not a duration of at least 1s (e.g. "20s")', durationOfAtLeast(1000)),
  }),
  // Bounds on what a request may add to the daemon's state.
  flag({
    name: "max-conf-bytes",
    default: String(DEFAULT_MAX_CONF_BYTES),
    description: "Largest conf (as JSON, in bytes) a manual trigger may carry; a larger one gets 413.",
    parse: valid("is not a whole number ≥ 1", wholeNumberOfAtLeast(1)),
  }),
  flag({
    name: "max-queued-runs",
    default: String(DEFAULT_MAX_QUEUED_RUNS),
    description: "Queued runs a DAG may have; a trigger over it gets 429 with the count.",
    parse: valid("is not a whole number ≥ 1", wholeNumberOfAtLeast(1)),
  }),
  // Leader election on a coordination.k8s.io/v1 Lease: at most one replica schedules.
  flag({
    name: "leader-elect",
    defaultText: "`true` with the kubernetes executor, else `false`",
    description: "true or false: only the replica holding the Lease schedules; the others serve read-only.",
    parse: trueOrFalse,
  }),
  flag({ name: "lease-name", default: "updraft-leader", description: "Name of the Lease." }),
  flag({
    name: "lease-namespace",
    defaultText: "`POD_NAMESPACE`, else the service account's namespace, else the kubeconfig context's",
    description: "Namespace of the Lease.",
  }),
  flag({
    name: "lease-duration",
    default: seconds(DEFAULT_LEASE_TIMING.leaseDurationMs),
    description: "Advanced: how long standbys wait after the Lease last changed before taking over.",
    parse: (text, name) => {
      const ms = leaseDuration(text, name);
      if (ms < 1000) throw new UsageError(`${name}: "${text}" is shorter than 1s`);
      return ms;
    },
  }),
  flag({
    name: "renew-deadline",
    default: seconds(DEFAULT_LEASE_TIMING.renewDeadlineMs),
    description: "Advanced: a leader that has not renewed the Lease for this long stops scheduling.",
    parse: leaseDuration,
  }),
  flag({
    name: "retry-period",
    default: seconds(DEFAULT_LEASE_TIMING.retryPeriodMs),
    description: "Advanced: how often the leader renews and standbys try to acquire the Lease.",
    parse: leaseDuration,
  }),
  ...LOADER_FLAGS,
  // Task logs in S3-compatible object storage.
  ...LOG_STORE_FLAGS,
  // Pools: slots shared by tasks of every DAG.
  ...POOL_FLAGS,
  // Sign-in, roles, machine tokens and the audit log.
  ...LOGIN_FLAGS,
  // Commit statuses on GitHub.
  ...GITHUB_FLAGS,
] as const;

/** `updraft run`'s flags as read and parsed, before the rules between them. */
export type RunFlagValues = FlagValues<typeof RUN_FLAGS>;
