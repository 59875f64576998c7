// The CLI help comes from the flag schema: every flag with its variable, default and meaning.
import { afterAll, describe, expect, it } from "vitest";
import { COMMANDS, RUN_COMMAND } from "../../src/config/commands.ts";
import { asksForHelp } from "../../src/config/flags.ts";
import { commandHelp, usageText } from "../../src/config/help-text.ts";
import { spawnCli } from "../daemon/support/daemon-process.ts";
import { Cleanup } from "../support/cleanup.ts";

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

describe("updraft help", () => {
  it("lists each command's synopsis and says where its flags are", () => {
    const text = usageText();
    expect(text.startsWith("Usage:\n")).toBe(true);
    expect(text).toContain("  updraft run --repo <url|path> [--branch main]");
    expect(text).toContain("  updraft run --dags <dir>\n");
    expect(text).toContain("  updraft trigger <dagId> [--conf '{\"k\":1}']");
    expect(text).toContain("  updraft check [dir] [--json]");
    expect(text).toContain("  updraft retry-failed <runId> [--server http://127.0.0.1:8080] [--token <t>]");
    expect(text).toContain("updraft <command> --help");
  });

  it("gives every flag of a command its variable, its default (fixed or in words) and its meaning", () => {
    for (const command of COMMANDS) {
      const text = commandHelp(command);
      for (const flag of command.flags) {
        const line = text
          .split("\n")
          .find((l) => l.trimStart().startsWith(`--${flag.name} `) || l.trim() === `--${flag.name}`);
        expect(line, `${command.name} --${flag.name}`).toBeDefined();
        expect(text).toContain(flag.env);
        expect(text).toContain(flag.description);
      }
    }
    const run = commandHelp(RUN_COMMAND);
    expect(run).toContain("UPDRAFT_INTERVAL, default 30s");
    expect(run).toContain("UPDRAFT_EXECUTOR, default `kubernetes` inside a cluster");
    expect(run).toContain("UPDRAFT_REPO\n");
  });

  it("asks for it with --help or -h anywhere before --", () => {
    expect(asksForHelp(["--dags", "d", "--help"])).toBe(true);
    expect(asksForHelp(["-h"])).toBe(true);
    expect(asksForHelp(["--dags", "d"])).toBe(false);
    expect(asksForHelp(["x", "--", "--help"])).toBe(false);
  });

  it("prints it for `updraft run --help` and exits 0, even when a variable holds a bad value", async () => {
    const cli = spawnCli(cleanup, ["run", "--help"], { UPDRAFT_PORT: "not-a-port" });
    expect((await cli.exited).code).toBe(0);
    expect(cli.output()).toBe(commandHelp(RUN_COMMAND));
  });
});
