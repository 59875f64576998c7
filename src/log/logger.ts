import { type Logger, pino } from "pino";
import { SecretMask } from "../secrets/secret-mask.ts";

export type { Logger };

/**
 * The daemon's structured JSON logger. Every line passes through the secret mask, so a secret
 * that slipped into a message or field (a git error echoing a URL, an import error quoting the
 * environment), raw, URL-encoded or base64, is masked before it is written.
 */
export function createLogger(options: {
  level?: string;
  /** The daemon's mask; without one, a mask of `secrets`. */
  mask?: SecretMask;
  secrets?: ReadonlyArray<string | undefined>;
  destination?: NodeJS.WritableStream;
}): Logger {
  const mask = options.mask ?? new SecretMask(options.secrets ?? []);
  const destination = options.destination ?? process.stdout;
  const stream = {
    write(line: string) {
      destination.write(mask.mask(line));
    },
  };
  return pino({ level: options.level ?? "info", base: { service: "updraft" } }, stream);
}
