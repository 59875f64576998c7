import { createRequire } from "node:module";
import { type Logger, pino } from "pino";
import { SecretMask } from "../secrets/secret-mask.ts";

export type { Logger };

// Loaded only for a terminal: a daemon logging JSON to a pipe (containers, CI) skips its modules.
const load = createRequire(import.meta.url);
const prettyFactory = (options: { ignore: string }) =>
  (load("pino-pretty") as typeof import("pino-pretty")).prettyFactory(options);

/**
 * The daemon's structured logger: JSON lines, or on a terminal the same lines made readable by
 * pino-pretty. Every line passes through the secret mask first, so a secret that slipped into a
 * message or field (a git error echoing a URL, an import error quoting the environment), raw,
 * URL-encoded, base64 or JSON-escaped, is masked before it is written or pretty-printed.
 */
export function createLogger(options: {
  level?: string;
  /** The daemon's mask; without one, a mask of `secrets`. */
  mask?: SecretMask;
  secrets?: ReadonlyArray<string | undefined>;
  destination?: NodeJS.WritableStream;
  /** Pretty lines instead of JSON; by default when the destination is a terminal. */
  pretty?: boolean;
}): Logger {
  const mask = options.mask ?? new SecretMask(options.secrets ?? []);
  const destination = options.destination ?? process.stdout;
  // `service` is the same on every line: noise to a person reading a terminal.
  const prettify =
    (options.pretty ?? isTerminal(destination)) ? prettyFactory({ ignore: "hostname,service" }) : undefined;
  const stream = {
    write(line: string) {
      const masked = mask.mask(line);
      destination.write(prettify ? prettify(masked) : masked);
    },
  };
  return pino({ level: options.level ?? "info", base: { service: "updraft" } }, stream);
}

/** A TTY is read by a person; a pipe or file (CI, a container's log, a test) by a machine. */
export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
