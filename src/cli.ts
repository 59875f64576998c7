/** The `updraft` command line: `check` (and, as they land, `run` and `trigger`). */
import { runCheck } from "./cli/check-command.ts";
import { type FlagDefinition, readFlags, UsageError } from "./config/flags.ts";
import { LOADER_FLAGS, loaderLimitsFrom } from "./config/loader-flags.ts";
import { RUN_FLAGS, runConfigFrom } from "./config/run-config.ts";
import { createDaemon } from "./daemon.ts";
import { createLogger } from "./log.ts";

const CHECK_FLAGS: readonly FlagDefinition[] = [
  { name: "json", type: "boolean", description: "Print the report as JSON." },
  ...LOADER_FLAGS,
];

const USAGE = `Usage:
  updraft run --repo <url|path> [--branch main] [--dags-dir dags] [--interval 30s] [--port 8080] ...
  updraft run --dags <dir>
      The daemon: follow a git branch (or watch a local folder), load its DAGs, serve the status page.
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
        const log = createLogger({ secrets: [config.gitToken, config.apiToken, config.webhookSecret] });
        const daemon = createDaemon(config, log);
        const shutdown = (signal: string) => {
          log.info({ signal }, "shutting down");
          void daemon.stop().then(() => process.exit(0));
        };
        process.once("SIGTERM", () => shutdown("SIGTERM"));
        process.once("SIGINT", () => shutdown("SIGINT"));
        await daemon.start();
        return await new Promise<number>(() => {});
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
    throw error;
  }
}
