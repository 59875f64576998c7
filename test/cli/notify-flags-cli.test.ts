// Issue #16 point 1 at the command line: bad notification flags stop `updraft run` with exit 2
// naming the flag; `updraft check` reports a bad `notify` declaration at file:line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DagFolder, makeDagFolder } from "../dags/support/dag-folder.ts";
import { spawnCli } from "../daemon/support/daemon-process.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { runBin } from "./support/run-bin.ts";

const BAD_NOTIFY = `import { dag, pod } from "updraft";

export default dag({
  id: "bad_notify",
  schedule: null,
  notify: { onFailure: [{ email: ["not-an-address"] }], onRetry: [{ slack: "ftp://x" }] },
  tasks: [pod({ id: "a", image: "busybox", notify: { onMissedSchedule: [] } })],
});
`;

describe("notification flags and declarations at the command line", () => {
  const cleanup = useCleanup();
  let folder: DagFolder;
  beforeAll(async () => {
    folder = await makeDagFolder({ "bad.ts": BAD_NOTIFY });
  });
  afterAll(() => folder.cleanup());

  it.each([
    [["--notify-email", "ops"], {}, '--notify-email: "ops" is not an email address'],
    [["--notify-email", "ops@x.example"], {}, "--notify-email sends email: set UPDRAFT_SMTP_URL"],
    [["--notify-commit-author"], {}, "--notify-commit-author works only with --notify-on-sync-failure"],
    [["--notify-slack", "nope"], {}, '--notify-slack: "nope" is not an http(s) URL'],
    [
      [],
      { UPDRAFT_SMTP_URL: "mail:25" },
      "UPDRAFT_SMTP_URL (or --smtp-url-file) is not an smtp:// or smtps:// URL",
    ],
  ])("updraft run %j exits 2", async (flags, env, message) => {
    const cli = spawnCli(cleanup, ["run", "--dags", folder.root, ...flags], env);
    expect((await cli.exited).code).toBe(2);
    expect(cli.output()).toContain(message);
  });

  it("updraft check names the bad notify fields at the dag() call", async () => {
    const result = await runBin(["check", folder.root, "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      errors: Array<{ file: string; line: number; message: string }>;
    };
    expect(report.errors.map((e) => `${e.file}:${e.line} ${e.message}`)).toEqual([
      'bad.ts:3 DAG "bad_notify": notify.onFailure[0].email[0]: must be an email address',
      'bad.ts:3 DAG "bad_notify": notify.onRetry[0].slack: must be an http(s) URL',
      'bad.ts:7 DAG "bad_notify": tasks[0].notify: Unrecognized key: "onMissedSchedule"',
    ]);
  });
});
