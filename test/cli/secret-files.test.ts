// Secrets as files (--api-token-file, --webhook-secret-file, --read-token-file, UPDRAFT_GIT_TOKEN_FILE):
// read once at start-up, so they are neither on the command line (ps) nor in the environment.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { saferPlaceFor, secretFlagsOnCommandLine, SecretFileError } from "../../src/config/secret-files.ts";
import { spawnCli, startDaemonProcess } from "../daemon/support/daemon-process.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { findSecrets, tokenForms } from "../support/secret-search.ts";
import { config, messageOf, usageError } from "./run-config-helpers.ts";

const cleanup = useCleanup("file");
let dir: string;
beforeAll(async () => {
  dir = await cleanup.tempDir("secret-files");
});

async function file(name: string, text: string): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, text, { mode: 0o600 });
  return target;
}

const secretFileError = (call: () => unknown) => messageOf(SecretFileError, call);

describe("secret files in the run config", () => {
  it("reads each secret from its file (flag or UPDRAFT_ variable), trimming one trailing newline", async () => {
    const api = await file("api", "api-secret-1\n");
    const hook = await file("hook", "hook-secret-2\r\n");
    const read = await file("read", "read-secret-3\n\n");
    const git = await file("git", "git-secret-4");
    const fromFlags = config(
      ["--dags", "d", "--api-token-file", api, "--webhook-secret-file", hook, "--read-token-file", read],
      { UPDRAFT_GIT_TOKEN_FILE: git },
    );
    expect(fromFlags).toMatchObject({
      apiToken: "api-secret-1",
      webhookSecret: "hook-secret-2",
      readToken: "read-secret-3\n",
      gitToken: "git-secret-4",
    });
    const fromEnv = config(["--dags", "d"], {
      UPDRAFT_API_TOKEN_FILE: api,
      UPDRAFT_WEBHOOK_SECRET_FILE: hook,
      UPDRAFT_READ_TOKEN_FILE: read,
    });
    expect(fromEnv).toMatchObject({ apiToken: "api-secret-1", webhookSecret: "hook-secret-2" });
    expect(config(["--dags", "d", "--read-token", "read-inline"]).readToken).toBe("read-inline");
  });

  it("refuses a value and its file together (usage error naming both)", async () => {
    const api = await file("api-both", "x-secret\n");
    expect(usageError(() => config(["--dags", "d", "--api-token", "inline", "--api-token-file", api]))).toBe(
      "give --api-token or --api-token-file, not both",
    );
    expect(
      usageError(() => config(["--dags", "d"], { UPDRAFT_GIT_TOKEN: "t", UPDRAFT_GIT_TOKEN_FILE: api })),
    ).toBe("give UPDRAFT_GIT_TOKEN or UPDRAFT_GIT_TOKEN_FILE, not both");
  });

  it("stops on an unreadable or empty file, naming the flag and the path", async () => {
    const missing = path.join(dir, "no-such-file");
    expect(secretFileError(() => config(["--dags", "d", "--webhook-secret-file", missing]))).toContain(
      `--webhook-secret-file: cannot read ${missing}`,
    );
    const empty = await file("empty", "\n");
    expect(secretFileError(() => config(["--dags", "d", "--api-token-file", empty]))).toBe(
      `--api-token-file: ${empty} is empty; write the secret into it (one trailing newline is ignored)`,
    );
    expect(secretFileError(() => config(["--dags", "d"], { UPDRAFT_GIT_TOKEN_FILE: dir }))).toContain(
      `UPDRAFT_GIT_TOKEN_FILE: cannot read ${dir}`,
    );
  });

  it("tells which secrets were given on the command line (env and files are fine)", () => {
    expect(secretFlagsOnCommandLine(["--dags", "d", "--api-token", "x", "--webhook-secret=y"])).toEqual([
      "--api-token",
      "--webhook-secret",
    ]);
    expect(secretFlagsOnCommandLine(["--dags", "d", "--api-token-file", "/f", "--read-token", "r"])).toEqual([
      "--read-token",
    ]);
    expect(secretFlagsOnCommandLine(["--dags", "d"])).toEqual([]);
  });

  it("tells when the --repo URL on the command line carries credentials, and where the token goes instead", () => {
    expect(secretFlagsOnCommandLine(["--repo", "https://user:tok3n@git.example/r.git"])).toEqual(["--repo"]);
    expect(secretFlagsOnCommandLine(["--repo=https://x-access-token:tok3n@git.example/r.git"])).toEqual([
      "--repo",
    ]);
    expect(secretFlagsOnCommandLine(["--repo", "https://git.example/r.git"])).toEqual([]);
    expect(secretFlagsOnCommandLine(["--repo", "git@github.com:o/r.git"])).toEqual([]);
    expect(saferPlaceFor("--repo")).toContain("UPDRAFT_GIT_TOKEN_FILE");
    expect(saferPlaceFor("--api-token")).toBe("--api-token-file");
  });
});

describe("updraft run with secret files (a real process)", () => {
  it("uses the secrets from the files and never prints them", async () => {
    const dagsDir = await cleanup.tempDir("secret-files-dags");
    const apiToken = `api-from-file-${process.pid}-0123456789`;
    const webhookSecret = `hook-from-file-${process.pid}-0123456789`;
    const gitToken = `git-from-file-${process.pid}-0123456789`;
    const daemon = await startDaemonProcess(cleanup, {
      dagsDir,
      stateDir: await cleanup.tempDir("secret-files-state"),
      extraArgs: ["--api-token-file", await file("p-api", `${apiToken}\n`)],
      env: {
        UPDRAFT_WEBHOOK_SECRET_FILE: await file("p-hook", `${webhookSecret}\n`),
        UPDRAFT_GIT_TOKEN_FILE: await file("p-git", gitToken),
      },
    });
    const refused = await daemon.request("/api/sync", { method: "POST" });
    expect(refused.status).toBe(401);
    const accepted = await daemon.request("/api/sync", {
      method: "POST",
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(accepted.status, accepted.text).toBe(202);
    const needles = [apiToken, webhookSecret, gitToken].flatMap((s) => tokenForms(s));
    expect(findSecrets(needles, { texts: { output: [daemon.output()] } })).toEqual([]);
    expect(daemon.output()).not.toContain("given on the command line");
  });

  it("warns once about a secret on the command line", async () => {
    const dagsDir = await cleanup.tempDir("secret-argv-dags");
    const daemon = await startDaemonProcess(cleanup, {
      dagsDir,
      stateDir: await cleanup.tempDir("secret-argv-state"),
      extraArgs: ["--api-token", "inline-api-token-0123456789", "--webhook-secret", "inline-hook-0123456789"],
    });
    const warnings = daemon
      .output()
      .split("\n")
      .filter((line) => line.includes("given on the command line"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("--api-token");
    expect(warnings[0]).toContain("--webhook-secret");
    expect(warnings[0]).toContain("--api-token-file");
    expect(warnings[0]).not.toContain("inline-api-token-0123456789");
  });

  it("exits 1 naming the flag and the path when a secret file cannot be read", async () => {
    const missing = path.join(dir, "missing-token");
    const cli = spawnCli(cleanup, ["run", "--dags", dir, "--webhook-secret-file", missing]);
    expect((await cli.exited).code).toBe(1);
    expect(cli.output()).toContain(`--webhook-secret-file: cannot read ${missing}`);
  });
});
