// Issue #16 point 1: the SMTP URL from --smtp-url-file (a trailing newline ignored), with a login
// whose password needs URL-encoding: mail goes out, and the password (as written in the URL or
// decoded) shows in no message, log line or state file.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { findSecrets, readTree, tokenForms } from "../support/secret-search.ts";
import { smtpReceiver } from "../support/smtp-receiver.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const PASSWORD = "p@ss/w:rd%20+Sesame";

describe("--smtp-url-file", () => {
  const cleanup = useCleanup("file");

  it("sends with the URL in the file, and the password leaks nowhere", async () => {
    const smtp = await smtpReceiver(cleanup, { user: "mail user", password: PASSWORD });
    const source = `import { dag, pod } from "updraft";
export default dag({ id: "mailed", schedule: null, retries: 0,
  notify: { onFailure: [{ email: ["ops@client.example"] }] },
  tasks: [pod({ id: "boom", image: "busybox", command: ["sh", "-c", "exit 6"] })] });
`;
    const { dir, dagsDir } = await daemonFolders(cleanup, "smtp-url-file", { "mailed.ts": source });
    const urlFile = path.join(dir, "smtp-url");
    await writeFile(urlFile, `${smtp.url}\n`);
    const daemon = await startTestDaemon(cleanup, [
      ...["--dags", dagsDir, "--executor", "local", "--smtp-url-file", urlFile],
      ...["--notify-email", "oncall@ops.example", "--mail-from", "robot@ops.example"],
    ]);
    const run = await daemon.daemon.scheduler.trigger("mailed", {});
    await waitFor("the failure to both addresses", () => (smtp.received.length >= 2 ? true : undefined));
    expect(smtp.received.map((m) => [m.from, m.to, m.mail.subject]).sort()).toEqual([
      [
        "robot@ops.example",
        ["oncall@ops.example"],
        `updraft: task mailed.boom failed in run ${run.id} (try 1): exit code 6`,
      ],
      [
        "robot@ops.example",
        ["ops@client.example"],
        `updraft: task mailed.boom failed in run ${run.id} (try 1): exit code 6`,
      ],
    ]);
    const needles = [...tokenForms(PASSWORD, "mail user"), encodeURIComponent(PASSWORD)];
    expect(
      findSecrets(needles, {
        files: await readTree(daemon.stateDir),
        texts: {
          mails: smtp.received.map((m) => `${JSON.stringify(m.mail.headerLines)}\n${m.mail.text ?? ""}`),
          logs: daemon.logs,
          responses: daemon.responses,
        },
      }),
    ).toEqual([]);
  });
});

describe("an SMTP login that is refused", () => {
  const cleanup = useCleanup("file");

  it("makes the email undeliverable, saying so without the password", async () => {
    const smtp = await smtpReceiver(cleanup);
    const wrong = `${PASSWORD}-wrong`;
    const url = smtp.url.replace(encodeURIComponent(smtp.password), encodeURIComponent(wrong));
    const source = `import { dag, pod } from "updraft";
export default dag({ id: "mailed", schedule: null, retries: 0,
  notify: { onFailure: [{ email: ["ops@client.example"] }] },
  tasks: [pod({ id: "boom", image: "busybox", command: ["sh", "-c", "exit 6"] })] });
`;
    const { dagsDir } = await daemonFolders(cleanup, "smtp-bad-login", { "mailed.ts": source });
    const daemon = await startTestDaemon(cleanup, ["--dags", dagsDir, "--executor", "local"], {
      env: { UPDRAFT_SMTP_URL: url },
    });
    await daemon.daemon.scheduler.trigger("mailed", {});
    const [message] = await waitFor("the undeliverable email", async () => {
      const { body } = await daemon.request("/api/notifications");
      return body.undeliverable.length > 0 ? (body.undeliverable as Array<{ lastError: string }>) : undefined;
    });
    expect(message?.lastError).toMatch(/535/);
    const page = (await daemon.request("/")).text;
    expect(
      findSecrets([...tokenForms(wrong, smtp.user), encodeURIComponent(wrong)], {
        files: await readTree(daemon.stateDir),
        texts: { page: [page], logs: daemon.logs, responses: daemon.responses },
      }),
    ).toEqual([]);
    expect(smtp.received).toEqual([]);
  });
});
