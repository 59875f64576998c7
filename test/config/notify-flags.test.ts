// Issue #16 point 1: the daemon-wide notification flags, the SMTP URL (env or file, never a flag)
// and the rules between them; bad values stop start-up naming the flag.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runSecretMask, runSecrets } from "../../src/config/run-secrets.ts";
import { config, usageError } from "../cli/run-config-helpers.ts";

const base = ["--dags", "/tmp/dags"];
const SMTP = "smtp://mailer:p%40ss-w0rd@mail.example:587";

describe("notification flags", () => {
  it("gathers --notify-email (repeated and comma lists), --notify-slack and --notify-url as the default channels", () => {
    const { notify } = config(
      [
        ...base,
        "--notify-email",
        "Ops@X.example, dev@y.example",
        "--notify-email",
        "ops@x.example",
        "--notify-slack",
        "https://hooks.slack.example/T/B/secret",
        "--notify-url",
        "http://127.0.0.1:9/hook",
        "--mail-from",
        "updraft@x.example",
      ],
      { UPDRAFT_SMTP_URL: SMTP },
    );
    expect(notify).toEqual({
      defaults: [
        { email: ["Ops@X.example", "dev@y.example", "ops@x.example"] },
        { slack: "https://hooks.slack.example/T/B/secret" },
        { webhook: "http://127.0.0.1:9/hook" },
      ],
      onSyncFailure: false,
      commitAuthor: false,
      smtpUrl: SMTP,
      mailFrom: "updraft@x.example",
      digestWindowMs: 60_000,
    });
    expect(config([...base, "--notify-digest-window", "5s"]).notify.digestWindowMs).toBe(5000);
  });

  it("reads the SMTP URL from --smtp-url-file, and masks it and its password", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "smtp-url-"));
    const file = path.join(dir, "smtp");
    writeFileSync(file, `${SMTP}\n`);
    const read = config([...base, "--smtp-url-file", file, "--notify-email", "a@x.example"]);
    expect(read.notify.smtpUrl).toBe(SMTP);
    expect(runSecrets(read)).toEqual(expect.arrayContaining([SMTP, "p%40ss-w0rd", "p@ss-w0rd"]));
  });

  it("refuses an SMTP URL that nodemailer could not use at start-up, without quoting it", () => {
    for (const url of [
      "smtp://u:hunter2@mail.example:99999",
      "smtps://u:hunter2@[::1:465",
      "smtp://u:hunter2@:25",
    ]) {
      const message = usageError(() => config(base, { UPDRAFT_SMTP_URL: url }));
      expect(message, url).toMatch(/^UPDRAFT_SMTP_URL \(or --smtp-url-file\)/);
      expect(message, url).not.toContain("hunter2");
    }
  });

  it("masks a password that is not valid percent-encoding as written", () => {
    const read = config([...base, "--notify-email", "a@x.example"], {
      UPDRAFT_SMTP_URL: "smtp://mailer:pa%zz-w0rd@mail.example:587",
    });
    expect(runSecrets(read)).toEqual(expect.arrayContaining(["pa%zz-w0rd"]));
  });

  it("masks the --notify-slack and --notify-url URLs (their path is their secret) wherever the daemon stores or serves text", () => {
    const read = config([
      ...base,
      "--notify-slack",
      "https://hooks.slack.example/services/T000/B000/XsecretXsecret",
      "--notify-url",
      "http://127.0.0.1:9/hook?token=t0ken-in-the-query",
    ]);
    const mask = runSecretMask(read);
    const line = (url: string) => `curl -X POST ${url}`;
    expect(mask.mask(line("https://hooks.slack.example/services/T000/B000/XsecretXsecret"))).not.toContain(
      "Xsecret",
    );
    expect(mask.mask("posting to /services/T000/B000/XsecretXsecret")).not.toContain("Xsecret");
    expect(mask.mask(line("http://127.0.0.1:9/hook?token=t0ken-in-the-query"))).not.toContain("t0ken");
    // A short, common path alone is not a secret: masking it would shred innocent text.
    expect(mask.mask("GET /hook 200")).toBe("GET /hook 200");
  });

  it("refuses bad values and missing companions with a message naming the flag", () => {
    expect(usageError(() => config([...base, "--notify-email", "ops"], { UPDRAFT_SMTP_URL: SMTP }))).toBe(
      '--notify-email: "ops" is not an email address (e.g. "ops@example.com")',
    );
    expect(usageError(() => config([...base, "--notify-slack", "hooks.slack.com/x"]))).toBe(
      '--notify-slack: "hooks.slack.com/x" is not an http(s) URL',
    );
    expect(usageError(() => config([...base, "--mail-from", "updraft"]))).toBe(
      '--mail-from: "updraft" is not an email address (e.g. "updraft@example.com")',
    );
    expect(usageError(() => config([...base, "--notify-email", "a@x.example"]))).toBe(
      "--notify-email sends email: set UPDRAFT_SMTP_URL (or give --smtp-url-file)",
    );
    expect(usageError(() => config([...base, "--notify-commit-author"], { UPDRAFT_SMTP_URL: SMTP }))).toBe(
      "--notify-commit-author works only with --notify-on-sync-failure: give both",
    );
    expect(usageError(() => config([...base, "--notify-on-sync-failure", "--notify-commit-author"]))).toBe(
      "--notify-commit-author sends email: set UPDRAFT_SMTP_URL (or give --smtp-url-file)",
    );
    expect(usageError(() => config(base, { UPDRAFT_SMTP_URL: "mail.example:25" }))).toBe(
      "UPDRAFT_SMTP_URL (or --smtp-url-file) is not an smtp:// or smtps:// URL (e.g. smtp://user:pass@mail.example.com:587)",
    );
    expect(usageError(() => config([...base, "--smtp-url", SMTP]))).toContain("--smtp-url");
    expect(usageError(() => config([...base, "--notify-digest-window", "10ms"]))).toBe(
      '--notify-digest-window: "10ms" is not a duration of at least 1s (e.g. "1m", "30s")',
    );
  });
});
