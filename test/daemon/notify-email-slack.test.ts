// Issue #16 points 1-2 end to end over email and Slack: a daemon following a git remote sends each
// event to a real SMTP server (with a login) and a Slack-like receiver, with the content promised in
// docs/notifications.md; --notify-email gets failures; a broken push is mailed to its author with
// file:line; and no secret (SMTP password, API token, a token a task printed) shows anywhere.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import type { ParsedMail } from "mailparser";
import { beforeAll, describe, expect, it } from "vitest";
import { throwingModule } from "../support/dag-sources.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { findSecrets, readTree, tokenForms } from "../support/secret-search.ts";
import { type SmtpReceiver, smtpReceiver } from "../support/smtp-receiver.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { type ReceivedPost, webhookReceiver } from "../support/webhook-receiver.ts";

const PUBLIC_URL = "https://updraft.example";
const API_TOKEN = "tok-e2e-mail-0123456789";
const MAIL_FROM = "updraft@ops.example";
const CUSTOMER = "customer@client.example";
const DEFAULT_TO = "oncall@ops.example";
const AUTHOR = "author@dev.example";
/** Split in the DAG source, so only the task's output (never the commit) holds the whole secret. */
const split = (secret: string) => `${secret.slice(0, 4)}''${secret.slice(4)}`;

interface SlackBody {
  text: string;
  blocks: Array<{
    type: string;
    text?: { type: string; text: string };
    fields?: Array<{ type: string; text: string }>;
    elements?: Array<{ type: string; text: { text: string }; url: string }>;
  }>;
}

const noisy = (url: string, smtpPassword: string) => `import { dag, pod } from "updraft";
export default dag({ id: "noisy", schedule: null, retries: 1, retryDelay: "1s",
  notify: {
    onFailure: [{ email: ["${CUSTOMER}"] }, { slack: "${url}/slack" }],
    onRetry: [{ slack: "${url}/slack-retry" }],
  },
  tasks: [pod({ id: "flaky", image: "busybox",
    command: ["sh", "-c", "for i in $(seq 1 25); do echo line $i; done; echo '<b>bold & loud</b>'; echo token ${split(API_TOKEN)}; echo smtp ${split(smtpPassword)}; exit 3"] })] });
`;
const fine = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "fine", schedule: null,
  notify: { onSuccess: [{ email: ["${CUSTOMER}"] }, { slack: "${url}/slack-ok" }] },
  tasks: [pod({ id: "quick", image: "busybox", command: ["sh", "-c", "echo done"] })] });
`;
const late = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "late", schedule: "*/2 * * * * *", expectedWithin: "1s", pausedOnCreation: true,
  notify: { onMissedSchedule: [{ slack: "${url}/slack-missed" }, { email: ["late@client.example"] }] },
  tasks: [pod({ id: "quick", image: "busybox", command: ["true"] })] });
`;

describe("email and Slack notifications from a daemon", () => {
  const cleanup = useCleanup("file");
  let smtp: SmtpReceiver;
  let slack: { url: string; received: ReceivedPost[] };
  let remote: GitRemote;
  let daemon: TestDaemon;

  const mailsTo = (address: string): ParsedMail[] =>
    smtp.received.filter((m) => m.to.includes(address)).map((m) => m.mail);
  const slackAt = (route: string): SlackBody[] =>
    slack.received.filter((p) => p.path === route).map((p) => p.body as SlackBody);

  beforeAll(async () => {
    smtp = await smtpReceiver(cleanup);
    slack = await webhookReceiver(cleanup);
    const dir = await cleanup.tempDir("notify-mail");
    remote = await createGitRemote(dir, {
      "noisy.ts": noisy(slack.url, smtp.password),
      "fine.ts": fine(slack.url),
      "late.ts": late(slack.url),
    });
    const tokenFile = path.join(dir, "api-token");
    await writeFile(tokenFile, API_TOKEN);
    daemon = await startTestDaemon(
      cleanup,
      [
        ...["--repo", remote.bare, "--branch", "main", "--executor", "local"],
        ...["--public-url", PUBLIC_URL, "--api-token-file", tokenFile, "--mail-from", MAIL_FROM],
        ...["--notify-email", DEFAULT_TO, "--notify-on-sync-failure", "--notify-commit-author"],
        ...["--notify-digest-window", "1s"],
      ],
      { env: { UPDRAFT_SMTP_URL: smtp.url } },
    );
    await daemon.waitForSync(await remote.head());
  });

  it("a final failure: an email to the DAG's addresses and --notify-email, and a Block Kit message, with the content", async () => {
    const sha = await remote.head();
    const run = await daemon.daemon.scheduler.trigger("noisy", {});
    const failureId = `failure:${run.id}:flaky:2`;
    const mail = await waitFor("the failure email to the customer", () =>
      mailsTo(CUSTOMER).find((m) => m.subject?.includes(run.id)),
    );
    const logUrl = `${PUBLIC_URL}/runs/${encodeURIComponent(run.id)}/tasks/flaky/logs?try=2`;
    const runUrl = `${PUBLIC_URL}/runs/${encodeURIComponent(run.id)}`;
    const title = `updraft: task noisy.flaky failed in run ${run.id} (try 2): exit code 3`;
    expect(mail.subject).toBe(title);
    expect(mail.from?.value).toEqual([{ address: MAIL_FROM, name: "" }]);
    expect(mail.messageId).toBe(`<${failureId.replace(/[^A-Za-z0-9._~:+-]/g, "-")}@updraft>`);
    const text = mail.text ?? "";
    for (const line of [
      "DAG: noisy",
      `Run: ${run.id}`,
      "Task: flaky",
      "Try: 2",
      "State: failed",
      `Commit: ${sha.slice(0, 7)}`,
      "Reason: exit code 3",
      "Last 20 log lines:",
      "  line 10",
      "  <b>bold & loud</b>",
      "  token ***",
      "  smtp ***",
      `View log: ${logUrl}`,
      `View run: ${runUrl}`,
    ])
      expect(text.split("\n"), line).toContain(line);
    const tail = [
      ...Array.from({ length: 17 }, (_, i) => `line ${i + 9}`),
      "<b>bold & loud</b>",
      "token ***",
      "smtp ***",
    ];
    expect(text).toContain(`Last 20 log lines:\n${tail.map((l) => `  ${l}\n`).join("")}`);
    const html = typeof mail.html === "string" ? mail.html : "";
    expect(html).toContain("&lt;b&gt;bold &amp; loud&lt;/b&gt;");
    expect(html).not.toContain("<b>bold");
    expect(html).toContain(`href="${logUrl.replace(/&/g, "&amp;")}"`);

    const [toDefault] = await waitFor("the failure email to --notify-email", () => {
      const found = mailsTo(DEFAULT_TO).filter((m) => m.subject === title);
      return found.length > 0 ? found : undefined;
    });
    expect(toDefault?.messageId).toBe(mail.messageId);

    const [block] = await waitFor("the failure on Slack", () => {
      const found = slackAt("/slack");
      return found.length > 0 ? found : undefined;
    });
    expect(slackAt("/slack")).toHaveLength(1);
    expect(block?.text).toBe(title);
    expect(block?.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: title, emoji: false },
    });
    expect(block?.blocks[1]?.fields?.map((f) => f.text)).toEqual([
      "*DAG*\nnoisy",
      `*Run*\n${run.id}`,
      "*Task*\nflaky",
      "*Try*\n2",
      "*State*\nfailed",
      `*Commit*\n${sha.slice(0, 7)}`,
    ]);
    expect(block?.blocks[2]?.text?.text).toBe("*Reason:* exit code 3");
    const logBlock = block?.blocks[3]?.text?.text ?? "";
    expect(logBlock).toMatch(/^```\nline 9\nline 10\n/);
    expect(logBlock).toContain("&lt;b&gt;bold &amp; loud&lt;/b&gt;\ntoken ***\nsmtp ***\n```");
    const buttons = block?.blocks[4]?.elements?.map((e) => [e.text.text, e.url]);
    expect(buttons).toEqual([
      ["View log", logUrl],
      ["View run", runUrl],
    ]);

    // The retry went to Slack only, once.
    const retries = slackAt("/slack-retry");
    expect(retries.map((b) => b.text)).toEqual([
      `updraft: task noisy.flaky failed in run ${run.id} (try 1), will be retried: exit code 3`,
    ]);
  });

  it("a run that succeeds: an email and a Slack message to onSuccess", async () => {
    const run = await daemon.daemon.scheduler.trigger("fine", {});
    const mail = await waitFor("the success email", () =>
      mailsTo(CUSTOMER).find((m) => m.subject?.includes(run.id)),
    );
    expect(mail.messageId).toBe(`<${`success:${run.id}`.replace(/[^A-Za-z0-9._~:+-]/g, "-")}@updraft>`);
    expect(mail.text).toContain("State: success");
    const [ok] = await waitFor("the success on Slack", () => {
      const found = slackAt("/slack-ok");
      return found.length > 0 ? found : undefined;
    });
    expect(ok?.blocks[0]?.text?.text).toContain(run.id);
    expect(ok?.blocks[1]?.fields?.map((f) => f.text)).toContain("*State*\nsuccess");
  });

  it("a paused DAG's missed dates: emails and Slack messages naming the logical date", async () => {
    const mail = await waitFor("a missed-schedule email", () => mailsTo("late@client.example")[0]);
    const [first] = await waitFor("a missed-schedule Slack message", () => {
      const found = slackAt("/slack-missed");
      return found.length > 0 ? found : undefined;
    });
    // Seconds are shown only when not zero (a due time on the minute reads "20:26 UTC").
    expect(mail.subject).toMatch(
      /^updraft: DAG "late" missed its \d{4}-\d\d-\d\d \d\d:\d\d(:(?!00)\d\d)? UTC schedule: /,
    );
    expect(mail.text).toMatch(/State: missed/);
    expect(first?.blocks[0]?.type).toBe("header");
    expect(first?.blocks[0]?.text?.text).toMatch(/^updraft: DAG "late" missed its /);
    expect(first?.blocks[1]?.fields?.map((f) => f.text)).toContain("*DAG*\nlate");
  });

  it("a broken push by a known author: an email to the author and to --notify-email, naming file:line", async () => {
    const broken = throwingModule("fine", "settings are not ready");
    await remote.write({ "fine.ts": broken.text });
    await remote.git("add", "--all");
    await remote.git("commit", "--quiet", "-m", "break fine", "--author", `A Developer <${AUTHOR}>`);
    await remote.push();
    const sha = await remote.head();
    const mail = await waitFor("the sync failure email to the author", () => mailsTo(AUTHOR)[0], {
      details: () => ({
        mails: smtp.received.map((m) => [m.to, m.mail.subject]),
        logs: daemon.logs.slice(-15),
      }),
    });
    expect(mail.subject).toMatch(
      new RegExp(
        `^updraft: commit ${sha.slice(0, 12)} failed to load: 1 import error, the first at fine\\.ts:${broken.line}: `,
      ),
    );
    expect(mail.text).toContain(`fine.ts:${broken.line}`);
    await waitFor("the sync failure email to --notify-email", () =>
      mailsTo(DEFAULT_TO).find((m) => m.subject === mail.subject),
    );
  });

  it("no secret in any message, the daemon's log or the state dir", async () => {
    await daemon.waitForIdle();
    const needles = [...tokenForms(API_TOKEN), ...tokenForms(smtp.password, smtp.user)];
    const mails = smtp.received.map(
      (m) => `${JSON.stringify(m.mail.headerLines)}\n${m.mail.text ?? ""}\n${String(m.mail.html)}`,
    );
    expect(mails.length).toBeGreaterThan(3);
    expect(
      findSecrets(needles, {
        files: await readTree(daemon.stateDir),
        texts: {
          mails,
          slack: slack.received.map((p) => JSON.stringify(p)),
          logs: daemon.logs,
          responses: daemon.responses,
        },
      }),
    ).toEqual([]);
  });
});
