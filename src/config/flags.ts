import { parseArgs } from "node:util";

/** The environment a command reads its flags' variables from. */
export type Env = Readonly<Record<string, string | undefined>>;

/** What the help and the configuration reference show of a flag. */
export interface FlagDoc {
  readonly name: string;
  readonly type: "string" | "boolean";
  /** Help text: one or two sentences, ending with a full stop. */
  readonly description: string;
  /** `UPDRAFT_<FLAG>`; derived from the name when left out. */
  readonly env?: string;
  /** Parsed like a given value when neither the flag nor its variable is given. */
  readonly default?: string;
  /** The default in words when it is worked out at start-up rather than fixed. */
  readonly defaultText?: string;
  /** Its value is a secret: given on the command line it shows in `ps`, so the CLI warns. */
  readonly secret?: boolean;
  /** May be given more than once: the values reach `parse` joined by commas (its variable's form). */
  readonly repeatable?: boolean;
}

/**
 * One flag of a command, the single place that states its variable, default, parsing and help.
 * `parse` turns the text (from the flag, its variable or the default) into the value, or throws a
 * UsageError naming the flag (`flag` is `--name`, also when the text came from the variable).
 */
export interface FlagDefinition<
  N extends string = string,
  T = unknown,
  D extends string | undefined = string | undefined,
> extends FlagDoc {
  readonly name: N;
  readonly env: string;
  readonly default: D;
  readonly parse: (text: string, flag: string) => T;
}

/** A flag's value once read: its parsed type, or undefined when it has no default and was not given. */
export type FlagValue<F> =
  F extends FlagDefinition<string, infer T, infer D> ? (D extends string ? T : T | undefined) : never;

/** The values of a table of flags, by flag name. */
export type FlagValues<Flags extends readonly FlagDefinition[]> = {
  readonly [F in Flags[number] as F["name"]]: FlagValue<F>;
};

export class UsageError extends Error {
  readonly code = "usage";
}

/** `--dags-dir` → `UPDRAFT_DAGS_DIR`. */
export function envNameOf(flag: string): string {
  return `UPDRAFT_${flag.replace(/-/g, "_").toUpperCase()}`;
}

interface FlagSpec<N extends string, T, D extends string | undefined> {
  name: N;
  description: string;
  default?: D;
  defaultText?: string;
  secret?: boolean;
  repeatable?: boolean;
  parse?: (text: string, flag: string) => T;
}

/** A flag that takes a value; without `parse` its value is the text itself. */
export function flag<const N extends string, T = string, const D extends string | undefined = undefined>(
  spec: FlagSpec<N, T, D>,
): FlagDefinition<N, T, D> {
  const parse = spec.parse ?? ((text: string) => text as T);
  return Object.freeze({
    ...spec,
    type: "string",
    env: envNameOf(spec.name),
    default: spec.default as D,
    parse,
  });
}

/** A switch: `--json` on the command line, or its variable set to 1, true or yes. */
export function switchFlag<const N extends string>(spec: {
  name: N;
  description: string;
}): FlagDefinition<N, boolean, "false"> {
  return Object.freeze({
    ...spec,
    type: "boolean",
    env: envNameOf(spec.name),
    default: "false",
    parse: (text: string) => /^(1|true|yes)$/i.test(text),
  });
}

/**
 * Reads `flags` from argv, then from their variables for flags not given (a flag beats its
 * variable, even given empty; an empty text counts as not given), then their defaults, and parses each. Unknown
 * flags are a UsageError naming them.
 */
export function readFlags<const Flags extends readonly FlagDefinition[]>(
  argv: readonly string[],
  env: Env,
  flags: Flags,
): { values: FlagValues<Flags>; positionals: string[] } {
  const options: Record<string, { type: "string" | "boolean"; multiple?: boolean }> = Object.create(null);
  for (const definition of flags)
    options[definition.name] = {
      type: definition.type,
      ...(definition.repeatable ? { multiple: true } : {}),
    };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const given = new Map(Object.entries(parsed.values));
  const values: Record<string, unknown> = Object.create(null);
  for (const definition of flags) {
    // A flag given empty still beats its variable: it asks for the default.
    const value = given.get(definition.name);
    const fromFlagOrEnv = given.has(definition.name)
      ? Array.isArray(value)
        ? value.join(",")
        : String(value)
      : (env[definition.env] ?? "");
    const text = [fromFlagOrEnv, definition.default ?? ""].find((candidate) => candidate !== "");
    values[definition.name] = text === undefined ? undefined : definition.parse(text, `--${definition.name}`);
  }
  return {
    values: values as FlagValues<Flags>,
    positionals: parsed.positionals,
  };
}

/** `--help` or `-h` among a command's arguments (before `--`): its help, whatever else is wrong. */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}
