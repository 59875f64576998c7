/** The `updraft` command line: `check` (and, as they land, `run` and `trigger`). */
import { runBackfill } from "./cli/backfill-command.ts";
import { runCheck } from "./cli/check-command.ts";
import { gracefulShutdown } from "./cli/graceful-shutdown.ts";
import { runTokenCommand } from "./cli/token-command.ts";
import { type RunCommandOptions, runRetryFailed, runStop } from "./cli/run-commands.ts";
import { runTrigger } from "./cli/trigger-command.ts";
import {
  BACKFILL_COMMAND,
  CHECK_COMMAND,
  type CommandSpec,
  RETRY_FAILED_COMMAND,
  RUN_COMMAND,
  STOP_COMMAND,
  TOKEN_COMMAND,
  TRIGGER_COMMAND,
} from "./config/commands.ts";
import { asksForHelp, readFlags, UsageError } from "./config/flags.ts";
import { commandHelp, usageText } from "./config/help-text.ts";
import { loaderLimitsFrom } from "./config/loader-flags.ts";
import { runConfigFrom } from "./config/run-config.ts";
import { SecretFileError, saferPlaceFor, secretFlagsOnCommandLine } from "./config/secret-files.ts";
import { createDaemon } from "./daemon.ts";
import { PrivateFolderError } from "./dags/loader/loader-runtime.ts";
import { systemClock } from "./leader/clock.ts";
import { catchUnhandledRejections } from "./health/unhandled-rejections.ts";
import { createLogger } from "./log/logger.ts";
import { runSecrets } from "./config/run-secrets.ts";
import { StateDirLockedError } from "./store/state-dir-lock.ts";
import { CorruptStateError } from "./store/state-file.ts";
import { SettingsFileError } from "./config/yaml-file.ts";

const USAGE = usageText();

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run": {
        if (asksForHelp(rest)) return printHelp(commandHelp(RUN_COMMAND));
        const { values, positionals } = readFlags(rest, env, RUN_COMMAND.flags);
        if (positionals.length > 0)
          throw new UsageError(`run takes no positional arguments, got "${positionals[0]}"`);
        const config = runConfigFrom(values, env);
        const log = createLogger({ secrets: runSecrets(config) });
        const onCommandLine = secretFlagsOnCommandLine(rest);
        if (onCommandLine.length > 0)
          log.warn(
            { flags: onCommandLine },
            `secrets given on the command line (${onCommandLine.join(", ")}) are visible to every local user in the process list: use ${onCommandLine.map(saferPlaceFor).join(", ")} or the UPDRAFT_ environment variables instead`,
          );
        const daemon = createDaemon(
          config,
          log,
          {
            // Like client-go's OnStoppedLeading: exit, and Kubernetes restarts this replica as a standby.
            onLeadershipLost: (reason) => shutdown(`leadership lost: ${reason}`, 1),
          },
          { env, clock: systemClock },
        );
        const shutdown = gracefulShutdown(daemon, log, {
          timeoutMs: config.shutdownTimeoutMs,
          exit: (code) => process.exit(code),
        });
        // Last resort: a rejection nobody handled is logged, counted and made unhealthy, not an exit.
        catchUnhandledRejections(process, (reason) => daemon.unhandledRejection(reason));
        process.on("SIGTERM", () => shutdown("SIGTERM", 0));
        process.on("SIGINT", () => shutdown("SIGINT", 0));
        await daemon.start();
        return await new Promise<number>(() => {});
      }
      case "trigger": {
        if (asksForHelp(rest)) return printHelp(commandHelp(TRIGGER_COMMAND));
        const { values, positionals } = readFlags(rest, env, TRIGGER_COMMAND.flags);
        const [dagId, ...extra] = positionals;
        if (!dagId || extra.length > 0) throw new UsageError("trigger takes exactly one DAG id");
        return await runTrigger(
          { dagId, conf: values.conf, server: values.server, token: values.token ?? env.UPDRAFT_API_TOKEN },
          (text) => process.stdout.write(text),
          (text) => process.stderr.write(text),
        );
      }
      case "retry-failed":
        return await runIdCommand(RETRY_FAILED_COMMAND, runRetryFailed, rest, env);
      case "stop":
        return await runIdCommand(STOP_COMMAND, runStop, rest, env);
      case "backfill":
        return await backfillCommand(rest, env);
      case "token": {
        if (asksForHelp(rest)) return printHelp(commandHelp(TOKEN_COMMAND));
        return await runTokenCommand(rest, process.stdin, (text) => process.stdout.write(text));
      }
      case "check": {
        if (asksForHelp(rest)) return printHelp(commandHelp(CHECK_COMMAND));
        const { values, positionals } = readFlags(rest, env, CHECK_COMMAND.flags);
        if (positionals.length > 1) throw new UsageError(`check takes one folder, got ${positionals.length}`);
        return await runCheck(
          {
            dir: positionals[0] ?? ".",
            json: values.json,
            podTemplate: values["pod-template"],
            limits: loaderLimitsFrom(values),
            now: new Date(),
          },
          (text) => process.stdout.write(text),
        );
      }
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`updraft: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (
      error instanceof CorruptStateError ||
      error instanceof SecretFileError ||
      error instanceof SettingsFileError ||
      error instanceof StateDirLockedError ||
      error instanceof PrivateFolderError
    ) {
      process.stderr.write(`updraft: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function printHelp(text: string): number {
  process.stdout.write(text);
  return 0;
}

/** A command that acts on one run of a running daemon: `updraft <command> <runId> [--server] [--token]`. */
async function runIdCommand(
  spec: CommandSpec,
  action: (
    options: RunCommandOptions,
    out: (text: string) => void,
    err: (text: string) => void,
  ) => Promise<number>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  if (asksForHelp(argv)) return printHelp(commandHelp(spec));
  const { values, positionals } = readFlags(argv, env, spec.flags);
  const [runId, ...extra] = positionals;
  if (!runId || extra.length > 0) throw new UsageError(`${spec.name} takes exactly one run id`);
  const server = values.server;
  if (typeof server !== "string") throw new UsageError(`${spec.name} needs --server`);
  const token = values.token;
  return await action(
    { runId, server, token: typeof token === "string" ? token : env.UPDRAFT_API_TOKEN },
    (text) => process.stdout.write(text),
    (text) => process.stderr.write(text),
  );
}

/** `updraft backfill <dagId> --from --to …`: Ctrl-C stops following, the backfill goes on. */
async function backfillCommand(rest: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (asksForHelp(rest)) return printHelp(commandHelp(BACKFILL_COMMAND));
  const { values, positionals } = readFlags(rest, env, BACKFILL_COMMAND.flags);
  const [dagId, ...extra] = positionals;
  if (!dagId || extra.length > 0) throw new UsageError("backfill takes exactly one DAG id");
  const { from, to } = values;
  if (from === undefined || to === undefined) throw new UsageError("backfill needs --from and --to");
  const stopFollowing = new AbortController();
  const onInterrupt = () => stopFollowing.abort();
  process.once("SIGINT", onInterrupt);
  try {
    return await runBackfill(
      {
        dagId,
        from,
        to,
        rerun: values.rerun,
        reverse: values.reverse,
        maxActiveRuns: values["max-active-runs"],
        conf: values.conf,
        detach: values.detach,
        server: values.server,
        token: values.token ?? env.UPDRAFT_API_TOKEN,
      },
      { isTTY: process.stdout.isTTY === true, signal: stopFollowing.signal },
      (text) => process.stdout.write(text),
      (text) => process.stderr.write(text),
    );
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}
