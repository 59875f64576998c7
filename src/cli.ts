/** The `updraft` command line: `check` (and, as they land, `run` and `trigger`). */
import { runCheck } from "./cli/check-command.ts";
import { gracefulShutdown } from "./cli/graceful-shutdown.ts";
import { runTrigger } from "./cli/trigger-command.ts";
import { type FlagDefinition, readFlags, UsageError } from "./config/flags.ts";
import { LOADER_FLAGS, loaderLimitsFrom } from "./config/loader-flags.ts";
import { RUN_FLAGS, runConfigFrom } from "./config/run-config.ts";
import { SecretFileError, saferPlaceFor, secretFlagsOnCommandLine } from "./config/secret-files.ts";
import { createDaemon } from "./daemon.ts";
import { systemClock } from "./leader/clock.ts";
import { catchUnhandledRejections } from "./health/unhandled-rejections.ts";
import { createLogger } from "./log/logger.ts";
import { runSecrets } from "./config/run-secrets.ts";
import { StateDirLockedError } from "./store/state-dir-lock.ts";
import { CorruptStateError } from "./store/state-file.ts";

export const CHECK_FLAGS: readonly FlagDefinition[] = [
  { name: "json", type: "boolean", description: "Print the report as JSON." },
  ...LOADER_FLAGS,
];

export const TRIGGER_FLAGS: readonly FlagDefinition[] = [
  { name: "conf", type: "string", description: "JSON object passed to the run as dag_run.conf." },
  {
    name: "server",
    type: "string",
    default: "http://127.0.0.1:8080",
    description: "URL of the running daemon.",
  },
  { name: "token", type: "string", description: "API token (also UPDRAFT_API_TOKEN)." },
];

const USAGE = `Usage:
  updraft run --repo <url|path> [--branch main] [--dags-dir dags] [--interval 30s] [--port 8080] ...
  updraft run --dags <dir>
      The daemon: follow a git branch (or watch a local folder), load its DAGs, serve the status page.
  updraft trigger <dagId> [--conf '{"k":1}'] [--server http://127.0.0.1:8080] [--token <t>]
      Start a manual run on a running daemon; prints the run id.
  updraft check [dir] [--json] [--load-timeout 30s] [--load-memory 512]
      Load every DAG module under dir (default: .) as the daemon would; print DAGs and errors.
      Exit code 1 when there is any error.
`;

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "run": {
        const { values, positionals } = readFlags(rest, env, RUN_FLAGS);
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
        const { values, positionals } = readFlags(rest, env, TRIGGER_FLAGS);
        const [dagId, ...extra] = positionals;
        if (!dagId || extra.length > 0) throw new UsageError("trigger takes exactly one DAG id");
        const token = typeof values.token === "string" ? values.token : env.UPDRAFT_API_TOKEN;
        return await runTrigger(
          {
            dagId,
            conf: typeof values.conf === "string" ? values.conf : undefined,
            server: String(values.server),
            token,
          },
          (text) => process.stdout.write(text),
          (text) => process.stderr.write(text),
        );
      }
      case "check": {
        const { values, positionals } = readFlags(rest, env, CHECK_FLAGS);
        if (positionals.length > 1) throw new UsageError(`check takes one folder, got ${positionals.length}`);
        return await runCheck(
          {
            dir: positionals[0] ?? ".",
            json: values.json === true,
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
      error instanceof StateDirLockedError
    ) {
      process.stderr.write(`updraft: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
