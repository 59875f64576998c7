/** The `updraft` command line: `check` (and, as they land, `run` and `trigger`). */
import { runCheck } from "./cli/check-command.ts";
import { type FlagDefinition, readFlags, UsageError } from "./config/flags.ts";
import { LOADER_FLAGS, loaderLimitsFrom } from "./config/loader-flags.ts";

const CHECK_FLAGS: readonly FlagDefinition[] = [
  { name: "json", type: "boolean", description: "Print the report as JSON." },
  ...LOADER_FLAGS,
];

const USAGE = `Usage:
  updraft check [dir] [--json] [--load-timeout 30s] [--load-memory 512]
      Load every DAG module under dir (default: .) as the daemon would; print DAGs and errors.
      Exit code 1 when there is any error.
`;

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
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
