import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * The environment for the tests' own git commands: no user or system config, a fixed identity,
 * and no GIT_* variables inherited from whatever started the tests.
 */
export const TEST_GIT_ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toUpperCase().startsWith("GIT_"))),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Updraft Tests",
  GIT_AUTHOR_EMAIL: "tests@updraft.invalid",
  GIT_COMMITTER_NAME: "Updraft Tests",
  GIT_COMMITTER_EMAIL: "tests@updraft.invalid",
  GIT_TERMINAL_PROMPT: "0",
};

/** Runs `git args` in `cwd`; resolves to its trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", args, {
    cwd,
    env: TEST_GIT_ENV,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.trim();
}
