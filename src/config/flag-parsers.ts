import { parseDuration } from "../dags/spec/duration.ts";
import { UsageError } from "./flags.ts";

/** A flag's parse function: the value, or a UsageError `--flag: "text" <problem>`. */
export type Parse<T> = (text: string, flag: string) => T;

/** Parses with `convert`; when it gives undefined, refuses the text saying `problem`. */
export function valid<T>(problem: string, convert: (text: string) => T | undefined): Parse<T> {
  return (text, flag) => {
    const value = convert(text);
    if (value === undefined) throw new UsageError(`${flag}: "${text}" ${problem}`);
    return value;
  };
}

/** Milliseconds of a duration (`"30s"`, `"5m"`, `"500ms"`) of at least `minMs`. */
export const durationOfAtLeast =
  (minMs: number) =>
  (text: string): number | undefined => {
    const ms = parseDuration(text);
    return ms !== undefined && ms >= minMs ? ms : undefined;
  };

/** A whole number of at least `min`. */
export const wholeNumberOfAtLeast =
  (min: number) =>
  (text: string): number | undefined => {
    const value = Number(text);
    return Number.isSafeInteger(value) && value >= min ? value : undefined;
  };

/** One of `choices`, exactly as written. */
export function oneOf<const C extends string>(choices: readonly C[]): Parse<C> {
  return valid(`is not one of ${choices.join(", ")}`, (text) => choices.find((choice) => choice === text));
}

/** `true` or `false`, in any case. */
export const trueOrFalse: Parse<boolean> = valid("is not true or false", (text) =>
  /^(true|false)$/i.test(text) ? text.toLowerCase() === "true" : undefined,
);
