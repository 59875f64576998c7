// Attack on #16 point 2: a try's log path is in a folder a local task can write to. Whatever is
// found there (a FIFO, a directory, a symlink to another file, bytes that are not text), reading
// the tail never hangs, never reads another file and never passes terminal escapes on.
import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import { mkdir, open, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readLogTail } from "../../../src/notify/content/log-tail.ts";
import { SecretMask } from "../../../src/secrets/secret-mask.ts";
import { useCleanup } from "../../support/use-cleanup.ts";

describe("reading a try's log tail from whatever is at its path", () => {
  const cleanup = useCleanup();

  it("a FIFO does not block the read (nor a thread of the pool): the tail is empty", async () => {
    const dir = await cleanup.tempDir("logs");
    const fifo = path.join(dir, "try-1.log");
    execFileSync("mkfifo", [fifo]);
    // A blocked open would wait for a writer forever; this writer lets a hung open go at the end.
    cleanup.defer(async () => {
      const writer = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => undefined);
      await writer?.close();
    });
    const outcome = await Promise.race([
      readLogTail(fifo, new SecretMask()),
      new Promise<string>((resolve) => setTimeout(() => resolve("still blocked after 5 s"), 5000).unref()),
    ]);
    expect(outcome).toEqual([]);
  });

  it("a directory gives an empty tail", async () => {
    const dir = await cleanup.tempDir("logs");
    await mkdir(path.join(dir, "try-1.log"));
    expect(await readLogTail(path.join(dir, "try-1.log"), new SecretMask())).toEqual([]);
  });

  it("a symlink planted at the log's path is not followed", async () => {
    const dir = await cleanup.tempDir("logs");
    const other = path.join(dir, "other-file");
    await writeFile(other, "a line of another file\n");
    await symlink(other, path.join(dir, "try-1.log"));
    expect(await readLogTail(path.join(dir, "try-1.log"), new SecretMask())).toEqual([]);
  });

  it("ANSI escapes and other control characters are taken out; invalid UTF-8 shows as U+FFFD", async () => {
    const dir = await cleanup.tempDir("logs");
    const file = path.join(dir, "try-1.log");
    await writeFile(
      file,
      Buffer.concat([
        Buffer.from("\u001b[31mred\u001b[0m text\u0007 and a \u001b]0;title\u0007 bell\n"),
        Buffer.from([0x62, 0x61, 0x64, 0xff, 0xfe, 0x0a]),
        Buffer.from("tab\there\r\n"),
      ]),
    );
    expect(await readLogTail(file, new SecretMask())).toEqual([
      "red text and a  bell",
      "bad\ufffd\ufffd",
      "tab\there",
    ]);
  });
});
