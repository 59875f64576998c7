import { expect } from "vitest";
import { readFlags, UsageError } from "../../src/config/flags.ts";
import { RUN_FLAGS, runConfigFrom } from "../../src/config/run-config.ts";

/** `updraft run`'s config from command-line arguments and an environment, as the CLI reads it. */
export function config(args: string[], env: Record<string, string> = {}) {
  return runConfigFrom(readFlags(args, env, RUN_FLAGS).values, env);
}

/** The message of the `type` error `call` throws; fails the test if it throws nothing or something else. */
export function messageOf(type: new (...args: never[]) => Error, call: () => unknown): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return (error as Error).message;
  }
  throw new Error(`expected a ${type.name}`);
}

/** The message of the UsageError `call` throws; fails the test if it throws nothing or something else. */
export function usageError(call: () => unknown): string {
  return messageOf(UsageError, call);
}
