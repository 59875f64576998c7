import { oneOf, valid, wholeNumberOfAtLeast } from "./flag-parsers.ts";
import { flag, type FlagDefinition, switchFlag } from "./flags.ts";
import { LOADER_FLAGS } from "./loader-flags.ts";
import { RUN_FLAGS } from "./run-flags.ts";

export const CHECK_FLAGS = [
  switchFlag({ name: "json", description: "Print the report as JSON." }),
  flag({
    name: "pod-template",
    description: "The daemon's --pod-template: each task's Pod is checked as it will be created from it.",
  }),
  ...LOADER_FLAGS,
] as const;

export const TRIGGER_FLAGS = [
  flag({ name: "conf", description: "JSON object passed to the run as dag_run.conf." }),
  flag({ name: "server", default: "http://127.0.0.1:8080", description: "URL of the running daemon." }),
  flag({ name: "token", description: "API token (also UPDRAFT_API_TOKEN)." }),
] as const;

/** `--server` and `--token`: the flags of a command that acts on one run. */
export const RUN_ID_FLAGS = [TRIGGER_FLAGS[1], TRIGGER_FLAGS[2]] as const;

/** A command of the `updraft` CLI as its help and the configuration reference show it. */
export interface CommandSpec {
  readonly name: string;
  /** The reference's heading: `updraft check [dir]`. */
  readonly usage: string;
  /** Example command lines for the help's overview. */
  readonly synopsis: readonly string[];
  /** What it does, one or two lines. */
  readonly summary: readonly string[];
  readonly flags: readonly FlagDefinition[];
}

export const RUN_COMMAND = {
  name: "run",
  usage: "updraft run",
  synopsis: [
    "updraft run --repo <url|path> [--branch main] [--dags-dir dags] [--interval 30s] [--port 8080] ...",
    "updraft run --dags <dir>",
  ],
  summary: [
    "The daemon: follow a git branch (or watch a local folder), load its DAGs, serve the status page.",
  ],
  flags: RUN_FLAGS,
} as const satisfies CommandSpec;

export const TRIGGER_COMMAND = {
  name: "trigger",
  usage: "updraft trigger <dagId>",
  synopsis: ["updraft trigger <dagId> [--conf '{\"k\":1}'] [--server http://127.0.0.1:8080] [--token <t>]"],
  summary: ["Start a manual run on a running daemon; prints the run id."],
  flags: TRIGGER_FLAGS,
} as const satisfies CommandSpec;

export const RETRY_FAILED_COMMAND = {
  name: "retry-failed",
  usage: "updraft retry-failed <runId>",
  synopsis: ["updraft retry-failed <runId> [--server http://127.0.0.1:8080] [--token <t>]"],
  summary: ["Run the failed and upstream_failed tasks of a finished run again; prints the run id."],
  flags: RUN_ID_FLAGS,
} as const satisfies CommandSpec;

export const STOP_COMMAND = {
  name: "stop",
  usage: "updraft stop <runId>",
  synopsis: ["updraft stop <runId> [--server http://127.0.0.1:8080] [--token <t>]"],
  summary: ["Stop a run on a running daemon: its tries are cancelled, it ends failed (stopped by you)."],
  flags: RUN_ID_FLAGS,
} as const satisfies CommandSpec;

export const BACKFILL_FLAGS = [
  flag({
    name: "from",
    description: "First logical date (ISO date or date-time, in the DAG's time zone), inclusive.",
  }),
  flag({
    name: "to",
    description:
      "Last logical date (ISO date or date-time, in the DAG's time zone), inclusive; a date covers the whole day.",
  }),
  flag({
    name: "rerun",
    default: "missing",
    description:
      "Dates that already have a run: missing keeps them, failed reruns failed ones, all reruns every one.",
    parse: oneOf(["missing", "failed", "all"] as const),
  }),
  switchFlag({ name: "reverse", description: "Run the newest logical dates first." }),
  flag({
    name: "max-active-runs",
    defaultText: "the DAG's maxActiveRuns",
    description: "At most this many runs of the backfill queued or running at once.",
    parse: valid("is not a whole number of at least 1", wholeNumberOfAtLeast(1)),
  }),
  TRIGGER_FLAGS[0],
  switchFlag({
    name: "detach",
    description: "Print the backfill id and return at once instead of following it.",
  }),
  TRIGGER_FLAGS[1],
  TRIGGER_FLAGS[2],
] as const;

export const BACKFILL_COMMAND = {
  name: "backfill",
  usage: "updraft backfill <dagId>",
  synopsis: [
    "updraft backfill <dagId> --from 2026-11-01 --to 2026-11-30 [--rerun missing|failed|all] [--reverse] [--max-active-runs N] [--conf '{\"k\":1}'] [--detach]",
  ],
  summary: [
    "Run a DAG for each logical date of its schedule in a range; follows the progress until it ends.",
    "Exit code 1 when the backfill failed or was cancelled; Ctrl-C stops following only.",
  ],
  flags: BACKFILL_FLAGS,
} as const satisfies CommandSpec;

export const CHECK_COMMAND = {
  name: "check",
  usage: "updraft check [dir]",
  synopsis: [
    "updraft check [dir] [--json] [--pod-template pod.yaml] [--load-timeout 30s] [--load-memory 512]",
  ],
  summary: [
    "Load every DAG module under dir (default: .) as the daemon would; print DAGs and errors.",
    "Exit code 1 when there is any error.",
  ],
  flags: CHECK_FLAGS,
} as const satisfies CommandSpec;

export const TOKEN_COMMAND = {
  name: "token",
  usage: "updraft token hash",
  synopsis: ["updraft token hash < token.txt"],
  summary: ["Read a machine token on stdin and print the hash a --tokens-file entry stores (sha256:<hex>)."],
  flags: [],
} as const satisfies CommandSpec;

/** Every command, in the order the reference lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  RUN_COMMAND,
  CHECK_COMMAND,
  TRIGGER_COMMAND,
  RETRY_FAILED_COMMAND,
  STOP_COMMAND,
  BACKFILL_COMMAND,
  TOKEN_COMMAND,
];
