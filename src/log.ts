import { type Logger, pino } from "pino";

export type { Logger };

/**
 * The daemon's structured JSON logger. Every line passes through `redact`, so a secret that
 * slipped into a message or field (a git error echoing a URL, say) is scrubbed before it is written.
 */
export function createLogger(options: {
  level?: string;
  secrets: ReadonlyArray<string | undefined>;
  destination?: NodeJS.WritableStream;
}): Logger {
  const secrets = options.secrets.filter((s): s is string => typeof s === "string" && s.length >= 4);
  const destination = options.destination ?? process.stdout;
  const stream = {
    write(line: string) {
      let clean = line;
      for (const secret of secrets) clean = clean.split(secret).join("***");
      destination.write(clean);
    },
  };
  return pino({ level: options.level ?? "info", base: { service: "updraft" } }, stream);
}
