import { parseArgs } from "node:util";

/** One command-line flag; each also reads `UPDRAFT_<FLAG>` from the environment. */
export interface FlagDefinition {
  name: string;
  type: "string" | "boolean";
  description: string;
  default?: string;
  /** The default in words when it is worked out at start-up rather than fixed (the README shows it). */
  defaultText?: string;
}

/** `--dags-dir` → `UPDRAFT_DAGS_DIR`. */
export function envNameOf(flag: string): string {
  return `UPDRAFT_${flag.replace(/-/g, "_").toUpperCase()}`;
}

export class UsageError extends Error {
  readonly code = "usage";
}

/**
 * Reads `flags` from argv, then from the environment for flags not given (a flag beats its env
 * var), then defaults. Unknown flags are a UsageError naming them.
 */
export function readFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  flags: readonly FlagDefinition[],
): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const options = Object.fromEntries(flags.map((flag) => [flag.name, { type: flag.type }]));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const flag of flags) {
    const given = parsed.values[flag.name];
    const fromEnv = env[envNameOf(flag.name)];
    if (given !== undefined) values[flag.name] = given as string | boolean;
    else if (fromEnv !== undefined && fromEnv !== "")
      values[flag.name] = flag.type === "boolean" ? /^(1|true|yes)$/i.test(fromEnv) : fromEnv;
    else values[flag.name] = flag.default;
  }
  return { values, positionals: parsed.positionals };
}
