// `updraft token hash` (issue #13 point 4): the token on stdin, its hash on stdout.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BIN } from "./support/run-bin.ts";

function tokenHashCli(
  args: string[],
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe("updraft token hash", () => {
  it("prints sha256:<hex> of the token read on stdin (one trailing newline ignored)", async () => {
    const token = "a-random-token-0123456789";
    const result = await tokenHashCli(["token", "hash"], `${token}\n`);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`sha256:${createHash("sha256").update(token).digest("hex")}\n`);
  });

  it("refuses an empty, short or multi-line token, and other subcommands, with exit 2", async () => {
    for (const [args, stdin, message] of [
      [["token", "hash"], "", "give exactly one token on stdin"],
      [["token", "hash"], "short\n", "shorter than 16 characters"],
      [["token", "hash"], "line-one-0123456789\nline-two-0123456789\n", "give exactly one token"],
      [["token", "make"], "x", 'token takes one subcommand: "updraft token hash"'],
    ] as const) {
      const result = await tokenHashCli([...args], stdin);
      expect(result.code, stdin).toBe(2);
      expect(result.stderr, stdin).toContain(message);
      expect(result.stdout).toBe("");
    }
  });
});
