// One schema for every flag (issue #12 point 4): each definition carries its env var, default,
// parse/validation and help; the parser reads flag > UPDRAFT_ variable > default and hands back
// parsed values, so no default or message is written a second time elsewhere.
import { describe, expect, expectTypeOf, it } from "vitest";
import type { GitHubConfig } from "../../src/config/github-config.ts";
import type { LoaderLimits } from "../../src/dags/loader/loader-pool.ts";
import type { LeaseTiming } from "../../src/leader/leader-elector.ts";
import { envNameOf, readFlags } from "../../src/config/flags.ts";
import { COMMANDS } from "../../src/config/commands.ts";
import { usageError } from "../cli/run-config-helpers.ts";
import type { LoginConfig } from "../../src/config/login-config.ts";
import type { LogStoreConfig } from "../../src/config/log-store-flags.ts";
import type { NotifyConfig } from "../../src/config/notify-config.ts";
import { RUN_FLAGS, type RunConfig } from "../../src/config/run-config.ts";

/** Per flag: a value given as the flag, another given as its variable, and what each parses to. */
const SAMPLES: Record<string, [flag: string, env: string, fromFlag: unknown, fromEnv: unknown]> = {
  repo: [
    "https://a.example/r.git",
    "https://b.example/r.git",
    "https://a.example/r.git",
    "https://b.example/r.git",
  ],
  branch: ["main", "dev", "main", "dev"],
  "dags-dir": ["dags", "jobs", "dags", "jobs"],
  dags: ["d1", "d2", "d1", "d2"],
  interval: ["45s", "5m", 45_000, 300_000],
  executor: ["local", "kubernetes", "local", "kubernetes"],
  namespace: ["a", "b", "a", "b"],
  "pod-template": ["/p1.yaml", "/p2.yaml", "/p1.yaml", "/p2.yaml"],
  "kube-qps": ["50", "0.5", 50, 0.5],
  "kube-burst": ["100", "1", 100, 1],
  host: ["0.0.0.0", "::1", "0.0.0.0", "::1"],
  port: ["9090", "0", 9090, 0],
  "state-dir": ["/tmp/s1", "/tmp/s2", "/tmp/s1", "/tmp/s2"],
  "api-token": ["t1", "t2", "t1", "t2"],
  "api-token-file": ["/f1", "/f2", "/f1", "/f2"],
  "read-token": ["r1", "r2", "r1", "r2"],
  "read-token-file": ["/f1", "/f2", "/f1", "/f2"],
  "webhook-secret": ["w1", "w2", "w1", "w2"],
  "webhook-secret-file": ["/f1", "/f2", "/f1", "/f2"],
  "notify-url": ["http://a.example/h", "https://b.example/h", "http://a.example/h", "https://b.example/h"],
  "keep-runs": ["7", "8", 7, 8],
  "log-store": [
    "s3://logs-a/p/q/",
    "s3://logs-b",
    { bucket: "logs-a", prefix: "p/q" },
    { bucket: "logs-b", prefix: "" },
  ],
  "s3-endpoint": [
    "http://127.0.0.1:9000",
    "https://minio.example",
    "http://127.0.0.1:9000",
    "https://minio.example",
  ],
  "s3-force-path-style": ["", "true", true, true],
  "s3-region": ["eu-west-1", "us-east-2", "eu-west-1", "us-east-2"],
  "keep-local-logs": ["7d", "12h", 604_800_000, 43_200_000],
  "shutdown-timeout": ["25s", "1m", 25_000, 60_000],
  "max-conf-bytes": ["1024", "2048", 1024, 2048],
  "max-queued-runs": ["5", "6", 5, 6],
  "leader-elect": ["true", "FALSE", true, false],
  "lease-name": ["a", "b", "a", "b"],
  "lease-namespace": ["a", "b", "a", "b"],
  "lease-duration": ["6s", "20s", 6000, 20_000],
  "renew-deadline": ["4s", "5s", 4000, 5000],
  "retry-period": ["1s", "500ms", 1000, 500],
  "load-timeout": ["10s", "1m", 10_000, 60_000],
  "load-memory": ["64", "128", 64, 128],
  pool: [
    "warehouse=4",
    "gpu=1,warehouse=2",
    new Map([["warehouse", 4]]),
    new Map([
      ["gpu", 1],
      ["warehouse", 2],
    ]),
  ],
  pools: ["/p1.yaml", "/p2.yaml", "/p1.yaml", "/p2.yaml"],
  json: ["", "false", true, false],
  conf: ['{"k":1}', "{}", '{"k":1}', "{}"],
  from: ["2026-11-01", "2026-10-01", "2026-11-01", "2026-10-01"],
  to: ["2026-11-30", "2026-10-31", "2026-11-30", "2026-10-31"],
  rerun: ["failed", "all", "failed", "all"],
  reverse: ["", "true", true, true],
  "max-active-runs": ["3", "5", 3, 5],
  detach: ["", "yes", true, true],
  server: ["http://a.example:1", "http://b.example:2", "http://a.example:1", "http://b.example:2"],
  token: ["t1", "t2", "t1", "t2"],
  auth: ["oidc", "none", "oidc", "none"],
  "oidc-issuer": [
    "https://a.example/realms/x",
    "http://127.0.0.1:5556/dex",
    "https://a.example/realms/x",
    "http://127.0.0.1:5556/dex",
  ],
  "oidc-client-id": ["a", "b", "a", "b"],
  "oidc-client-secret": ["s1", "s2", "s1", "s2"],
  "oidc-client-secret-file": ["/f1", "/f2", "/f1", "/f2"],
  "oidc-groups-claim": ["roles", "teams", "roles", "teams"],
  "public-url": ["https://u.example/", "http://127.0.0.1:8080", "https://u.example", "http://127.0.0.1:8080"],
  "session-ttl": ["1h", "2d", 3_600_000, 172_800_000],
  roles: ["/r1.yaml", "/r2.yaml", "/r1.yaml", "/r2.yaml"],
  "tokens-file": ["/t1.yaml", "/t2.yaml", "/t1.yaml", "/t2.yaml"],
  "metrics-auth": ["", "true", true, true],
  "audit-max-bytes": ["4096", "1048576", 4096, 1_048_576],
  "audit-keep-files": ["1", "3", 1, 3],
  "audit-retention": ["1d", "30d", 86_400_000, 2_592_000_000],
  "github-status": ["", "true", true, true],
  "github-token-file": ["/g1", "/g2", "/g1", "/g2"],
  "github-api-url": [
    "https://ghe.example/api/v3/",
    "https://api.github.com",
    "https://ghe.example/api/v3",
    "https://api.github.com",
  ],
  "github-repo": ["acme/dags", "acme/other", "acme/dags", "acme/other"],
  "notify-email": ["a@x.example", "b@y.example,c@z.example", ["a@x.example"], ["b@y.example", "c@z.example"]],
  "notify-slack": [
    "https://hooks.slack.example/T/B/s",
    "http://h.example/x",
    "https://hooks.slack.example/T/B/s",
    "http://h.example/x",
  ],
  "notify-on-sync-failure": ["", "true", true, true],
  "notify-commit-author": ["", "yes", true, true],
  "smtp-url-file": ["/m1", "/m2", "/m1", "/m2"],
  "mail-from": ["updraft@a.example", "ops@b.example", "updraft@a.example", "ops@b.example"],
  "notify-digest-window": ["30s", "2m", 30_000, 120_000],
};

/** What each flag is when neither it nor its variable is given: today's defaults, stated by the tests. */
const DEFAULTS: Record<string, unknown> = {
  "dags-dir": ".",
  interval: 30_000,
  "kube-qps": 20,
  "kube-burst": 40,
  host: "127.0.0.1",
  port: 8080,
  "state-dir": "./.updraft",
  "keep-runs": 100,
  "s3-force-path-style": false,
  "shutdown-timeout": 20_000,
  "max-conf-bytes": 65_536,
  "max-queued-runs": 100,
  "lease-name": "updraft-leader",
  "lease-duration": 15_000,
  "renew-deadline": 10_000,
  "retry-period": 2_000,
  "load-timeout": 30_000,
  "load-memory": 512,
  json: false,
  rerun: "missing",
  reverse: false,
  detach: false,
  server: "http://127.0.0.1:8080",
  auth: "none",
  "oidc-groups-claim": "groups",
  "session-ttl": 28_800_000,
  "metrics-auth": false,
  "audit-max-bytes": 10_485_760,
  "audit-keep-files": 10,
  "audit-retention": 7_776_000_000,
  "github-status": false,
  "github-api-url": "https://api.github.com",
  "notify-on-sync-failure": false,
  "notify-commit-author": false,
  "notify-digest-window": 60_000,
};

const every = COMMANDS.flatMap((command) => command.flags.map((flag) => ({ command, flag })));

describe("the flag schema", () => {
  it("covers run, check, trigger, stop, retry-failed, backfill and token, and `updraft run`'s table is RUN_FLAGS", () => {
    expect(COMMANDS.map((command) => command.name)).toEqual([
      "run",
      "check",
      "trigger",
      "retry-failed",
      "stop",
      "backfill",
      "token",
    ]);
    expect(COMMANDS[0]?.flags).toBe(RUN_FLAGS);
    expect(new Set(every.map(({ flag }) => flag.name))).toEqual(new Set(Object.keys(SAMPLES)));
  });

  it("gives each flag its UPDRAFT_ variable, help text, and a default its own parse accepts", () => {
    for (const { flag } of every) {
      expect(flag.env, flag.name).toBe(envNameOf(flag.name));
      expect(flag.description, flag.name).toMatch(/\.$/);
      expect(typeof flag.parse, flag.name).toBe("function");
      if (flag.default !== undefined)
        expect(() => flag.parse(flag.default ?? "", `--${flag.name}`)).not.toThrow();
      // A fixed default hides words for it in the help and the reference: state one or the other.
      expect(flag.default !== undefined && flag.defaultText !== undefined, flag.name).toBe(false);
    }
  });

  it("reads each flag before its variable, the variable before the default, and parses all three", () => {
    for (const { command, flag } of every) {
      const [given, fromEnvText, fromFlag, fromEnv] = SAMPLES[flag.name] ?? [];
      const argv = flag.type === "boolean" ? [`--${flag.name}`] : [`--${flag.name}`, String(given)];
      const env = { [flag.env]: String(fromEnvText) };
      const read = (args: string[], vars: Record<string, string>) =>
        (readFlags(args, vars, command.flags).values as Record<string, unknown>)[flag.name];
      expect(read(argv, env), `${command.name} ${flag.name}: flag`).toEqual(fromFlag);
      expect(read([], env), `${command.name} ${flag.name}: variable`).toEqual(fromEnv);
      expect(read([], { [flag.env]: "" }), `${command.name} ${flag.name}: default`).toEqual(
        DEFAULTS[flag.name],
      );
    }
  });

  it("refuses a bad value, from a flag or its variable, with the flag's own message", () => {
    const refused = (args: string[], env: Record<string, string> = {}) =>
      usageError(() => readFlags(args, env, RUN_FLAGS));
    expect(refused(["--interval", "soon"])).toBe(
      '--interval: "soon" is not a duration of at least 1s (e.g. "30s", "5m")',
    );
    expect(refused([], { UPDRAFT_INTERVAL: "500ms" })).toBe(
      '--interval: "500ms" is not a duration of at least 1s (e.g. "30s", "5m")',
    );
    expect(refused(["--port", "70000"])).toBe('--port: "70000" is not a port number (0-65535)');
    expect(refused([], { UPDRAFT_PORT: "8o8o" })).toBe('--port: "8o8o" is not a port number (0-65535)');
    expect(refused(["--executor", "docker"])).toBe('--executor: "docker" is not one of local, kubernetes');
    expect(refused(["--keep-runs", "0"])).toBe('--keep-runs: "0" is not a whole number ≥ 1');
    expect(refused(["--kube-qps", "0"])).toBe(
      '--kube-qps: "0" is not a number of requests per second of at least 0.01 (e.g. "20", "0.5")',
    );
    expect(refused([], { UPDRAFT_KUBE_BURST: "1.5" })).toBe('--kube-burst: "1.5" is not a whole number ≥ 1');
    expect(refused(["--notify-url", "hooks.example"])).toBe(
      '--notify-url: "hooks.example" is not an http(s) URL',
    );
    expect(refused(["--shutdown-timeout", "0s"])).toBe(
      '--shutdown-timeout: "0s" is not a duration of at least 1s (e.g. "20s")',
    );
    expect(refused(["--max-conf-bytes", "0"])).toBe('--max-conf-bytes: "0" is not a whole number ≥ 1');
    expect(refused([], { UPDRAFT_MAX_QUEUED_RUNS: "many" })).toBe(
      '--max-queued-runs: "many" is not a whole number ≥ 1',
    );
    expect(refused(["--leader-elect", "maybe"])).toBe('--leader-elect: "maybe" is not true or false');
    expect(refused(["--retry-period", "often"])).toBe(
      '--retry-period: "often" is not a duration (e.g. "2s")',
    );
    expect(refused(["--lease-duration", "500ms"])).toBe('--lease-duration: "500ms" is shorter than 1s');
    expect(refused(["--load-timeout", "soon"])).toBe(
      '--load-timeout: "soon" is not a duration (e.g. "30s", "2m")',
    );
    expect(refused(["--load-memory", "8"])).toBe(
      '--load-memory: "8" is not a whole number of megabytes (at least 32)',
    );
    expect(refused(["--auth", "saml"])).toBe('--auth: "saml" is not one of none, oidc');
    expect(refused(["--public-url", "https://u.example/updraft"])).toBe(
      '--public-url: "https://u.example/updraft" is not an http(s) URL without a path, query or fragment',
    );
    expect(refused(["--session-ttl", "10s"])).toBe(
      '--session-ttl: "10s" is not a duration of at least 1m (e.g. "8h")',
    );
    expect(refused(["--pool", "warehouse"])).toBe('--pool: "warehouse" is not NAME=N (e.g. "warehouse=4")');
    expect(refused([], { UPDRAFT_POOL: "warehouse=0" })).toBe(
      '--pool: "warehouse=0" is not NAME=N with N a whole number ≥ 1 (e.g. "warehouse=4")',
    );
    expect(refused(["--github-repo", "acme"])).toBe(
      '--github-repo: "acme" is not OWNER/NAME (e.g. "acme/dags")',
    );
    expect(refused(["--github-api-url", "ghe.example"])).toBe(
      '--github-api-url: "ghe.example" is not an http(s) URL',
    );
    expect(refused(["--log-store", "https://bucket"])).toBe(
      '--log-store: "https://bucket" is not an s3:// URL (e.g. "s3://my-bucket/updraft/logs")',
    );
    expect(refused(["--log-store", "s3://B"])).toBe(
      '--log-store: "s3://B" names bucket "B", which is not a valid S3 bucket name (3-63 characters: a-z, 0-9, "." and "-")',
    );
    expect(refused(["--s3-endpoint", "minio:9000"])).toBe(
      '--s3-endpoint: "minio:9000" is not an http(s) URL',
    );
    expect(refused(["--keep-local-logs", "soon"])).toBe(
      '--keep-local-logs: "soon" is not a duration of at least 1s (e.g. "7d", "12h")',
    );
    expect(refused(["--no-such-flag"])).toContain("--no-such-flag");
  });

  it("keeps RunConfig's shape", () => {
    expectTypeOf<RunConfig>().toEqualTypeOf<{
      source:
        | { kind: "git"; repo: string; branch: string | undefined; dagsDir: string }
        | { kind: "folder"; dir: string };
      intervalMs: number;
      executor: "local" | "kubernetes";
      namespace: string | undefined;
      podTemplate: string | undefined;
      host: string;
      port: number;
      stateDir: string;
      apiToken: string | undefined;
      readToken: string | undefined;
      webhookSecret: string | undefined;
      gitToken: string | undefined;
      loader: Partial<LoaderLimits>;
      notifyUrl: string | undefined;
      keepRuns: number;
      leaderElection: {
        enabled: boolean;
        leaseName: string;
        leaseNamespace: string | undefined;
        timing: LeaseTiming;
      };
      shutdownTimeoutMs: number;
      limits: { maxConfBytes: number; maxQueuedRuns: number };
      kubeRate: { qps: number; burst: number };
      login: LoginConfig;
      pools: ReadonlyMap<string, number>;
      github: GitHubConfig;
      logStore: LogStoreConfig | undefined;
      notify: NotifyConfig;
    }>();
  });
});
