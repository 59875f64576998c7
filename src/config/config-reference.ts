import { envNameOf, type FlagDoc } from "./flags.ts";

/** A command's flags as the configuration reference shows them. */
export interface CommandFlags {
  /** `updraft run`, `updraft check [dir]`, … */
  usage: string;
  flags: readonly FlagDoc[];
}

/** Environment variables read directly, not as `UPDRAFT_<FLAG>`. */
export interface EnvironmentSetting {
  name: string;
  description: string;
}

/** Read by updraft (or by git and the Kubernetes client it runs) without a flag of their own. */
export const ENVIRONMENT_ONLY: readonly EnvironmentSetting[] = [
  {
    name: "UPDRAFT_GIT_TOKEN",
    description:
      "Token for https remotes, passed to git through an askpass helper; never a flag, so it stays out of process listings.",
  },
  {
    name: "UPDRAFT_GIT_TOKEN_FILE",
    description:
      "File holding the git token (one trailing newline ignored), read once at start-up; instead of UPDRAFT_GIT_TOKEN, so the token is not in the environment either.",
  },
  {
    name: "UPDRAFT_GITHUB_TOKEN",
    description:
      "Token for GitHub commit statuses (`--github-status`; scope repo:status); never a flag. Else --github-token-file, else the git token of a GitHub remote.",
  },
  {
    name: "UPDRAFT_SMTP_URL",
    description:
      "SMTP server for email notifications (`smtp://user:pass@host:587`, `smtps://…`); never a flag, and masked in logs and answers. Else --smtp-url-file.",
  },
  {
    name: "GIT_SSH_COMMAND",
    description: "For ssh remotes: the ssh command git runs, e.g. `ssh -i /keys/id_ed25519`.",
  },
  {
    name: "KUBERNETES_SERVICE_HOST",
    description:
      "Set inside a Pod: the executor defaults to `kubernetes` and the in-cluster service account is used.",
  },
  {
    name: "POD_NAMESPACE",
    description:
      "The daemon's own namespace, where its leader-election Lease lives (`deploy/` sets it from the downward API; else the service account's namespace).",
  },
  {
    name: "POD_NAME",
    description: "The daemon's identity as the Lease holder (`deploy/` sets it from the downward API).",
  },
  {
    name: "KUBECONFIG",
    description:
      "Outside a cluster, the kubeconfig file for the Kubernetes executor (else `~/.kube/config`).",
  },
  {
    name: "AWS_REGION",
    description:
      "With --log-store: the bucket's region when --s3-region is not given (else `AWS_DEFAULT_REGION`, else `~/.aws/config`).",
  },
  {
    name: "AWS_DEFAULT_REGION",
    description: "With --log-store: the bucket's region when neither --s3-region nor `AWS_REGION` is given.",
  },
  {
    name: "AWS_ACCESS_KEY_ID",
    description:
      "With --log-store, one source of the AWS SDK's default credential chain (with `AWS_SECRET_ACCESS_KEY`); others are `AWS_PROFILE`, web identity/IRSA (`AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE`) and the instance profile. Never a flag.",
  },
  {
    name: "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED",
    description:
      "The AWS SDK's switch for its Node.js < 22 warning: the daemon sets it to `true` for itself unless it is set (`false` shows the warning).",
  },
  {
    name: "GOGC",
    description:
      "Go's garbage collector target for the esbuild service that compiles DAG files: the daemon starts it with `400` (a quarter less CPU on a large load) unless it is set.",
  },
  {
    name: "UPDRAFT_VERIFY_RUN_SHAPES",
    description:
      "`1` makes the state store check each entry it skips as unchanged against its JSON and fail the write on a difference. The test suite sets it; it costs a serialisation per entry, so leave it unset in production.",
  },
];

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

function flagRow(flag: FlagDoc): string {
  const name = flag.type === "boolean" ? `\`--${flag.name}\`` : `\`--${flag.name} <value>\``;
  const fixed = flag.default ?? (flag.type === "boolean" ? "false" : undefined);
  const fallback = fixed !== undefined ? `\`${fixed}\`` : (flag.defaultText ?? "–");
  return `| ${cell(name)} | \`${flag.env ?? envNameOf(flag.name)}\` | ${cell(fallback)} | ${cell(flag.description)} |`;
}

/**
 * The configuration reference in Markdown: one table per command, then the environment-only
 * settings. Generated from the flag definitions so docs/configuration.md cannot drift from the code.
 */
export function renderConfigReference(
  commands: readonly CommandFlags[],
  environment: readonly EnvironmentSetting[],
  headingLevel = 4,
): string {
  const heading = "#".repeat(headingLevel);
  const sections = commands.map(({ usage, flags }) =>
    [
      `${heading} \`${usage}\``,
      "",
      "| flag | environment | default | meaning |",
      "| --- | --- | --- | --- |",
      ...flags.map(flagRow),
    ].join("\n"),
  );
  const env = [
    `${heading} Environment only`,
    "",
    "| variable | meaning |",
    "| --- | --- |",
    ...environment.map((e) => `| \`${e.name}\` | ${cell(e.description)} |`),
  ].join("\n");
  return `${[...sections, env].join("\n\n")}\n`;
}
