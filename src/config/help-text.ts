import {
  BACKFILL_COMMAND,
  CHECK_COMMAND,
  type CommandSpec,
  RETRY_FAILED_COMMAND,
  RUN_COMMAND,
  STOP_COMMAND,
  TOKEN_COMMAND,
  TRIGGER_COMMAND,
} from "./commands.ts";
import type { FlagDefinition } from "./flags.ts";

/** `updraft help`: each command's synopsis and what it does. */
export function usageText(): string {
  const commands = [
    RUN_COMMAND,
    TRIGGER_COMMAND,
    STOP_COMMAND,
    RETRY_FAILED_COMMAND,
    BACKFILL_COMMAND,
    CHECK_COMMAND,
    TOKEN_COMMAND,
  ].map((command) =>
    [...command.synopsis.map((line) => `  ${line}`), ...command.summary.map((line) => `      ${line}`)].join(
      "\n",
    ),
  );
  return `Usage:\n${commands.join("\n")}\nEvery flag, with its environment variable and default: updraft <command> --help\n`;
}

function flagHelp(flag: FlagDefinition): string {
  const name = flag.type === "boolean" ? `--${flag.name}` : `--${flag.name} <value>`;
  const fallback = flag.default ?? flag.defaultText;
  const source = fallback === undefined ? flag.env : `${flag.env}, default ${fallback}`;
  return `  ${name}\n      ${flag.description}\n      ${source}`;
}

/** `updraft <command> --help`: its synopsis, then every flag with its variable, default and meaning. */
export function commandHelp(command: CommandSpec): string {
  const [first, ...more] = command.synopsis;
  return [
    `Usage: ${first ?? command.usage}`,
    ...more.map((line) => `       ${line}`),
    ...command.summary.map((line) => `  ${line}`),
    "",
    "Flags (each also read from its environment variable; a flag beats its variable):",
    ...command.flags.map(flagHelp),
    "",
  ].join("\n");
}
