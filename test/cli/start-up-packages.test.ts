// Issue 17 point 6 (spawn → listening ≤ 500 ms): packages only some configurations use are loaded
// when one of them asks, not at every start. Checked in a fresh Node that loads the CLI module (all
// of src/ a daemon start imports) and creates a logger on a pipe, as a container's daemon does.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const LAZY = ["@aws-sdk/client-s3", "@aws-sdk/lib-storage", "nodemailer", "pino-pretty"];

const probe = `
import { createRequire } from "node:module";
await import("./src/cli.ts");
const { createLogger } = await import("./src/log/logger.ts");
createLogger({ destination: process.stderr }).info("probe");
const loaded = Object.keys(createRequire(import.meta.url).cache);
const lazy = ${JSON.stringify(LAZY)};
console.log(JSON.stringify(lazy.filter((name) => loaded.some((file) => file.includes("/node_modules/" + name + "/")))));
`;

describe("packages loaded at start-up", () => {
  it("leave out the S3 SDK, nodemailer and pino-pretty until a log store, an email channel or a terminal asks", async () => {
    const cwd = new URL("../../", import.meta.url);
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", probe], {
      cwd,
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split("\n").pop() ?? "null")).toEqual([]);
  }, 90_000);

  it("still load them when asked", async () => {
    const cwd = new URL("../../", import.meta.url);
    const asked = `
import { createRequire } from "node:module";
const { s3LogObjects } = await import("./src/logs/s3-log-objects.ts");
const { createEmailSender } = await import("./src/notify/channels/email-sender.ts");
const { createLogger } = await import("./src/log/logger.ts");
s3LogObjects({ bucket: "b", endpoint: "http://127.0.0.1:1", forcePathStyle: true, region: "us-east-1" }, {});
createEmailSender({ smtpUrl: "smtp://127.0.0.1:1", timeoutMs: 1000 }).close();
createLogger({ destination: process.stderr, pretty: true }).info("probe");
const loaded = Object.keys(createRequire(import.meta.url).cache);
const lazy = ${JSON.stringify(LAZY)};
console.log(JSON.stringify(lazy.filter((name) => loaded.some((file) => file.includes("/node_modules/" + name + "/")))));
`;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", asked], {
      cwd,
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split("\n").pop() ?? "null")).toEqual(LAZY);
  }, 90_000);
});
