import { chmod, mkdir, stat, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { loaderRuntime } from "../../../src/dags/loader/loader-runtime.ts";
import { Cleanup } from "../../support/cleanup.ts";

const cleanup = new Cleanup();
const savedTmp = process.env.TMPDIR;
afterAll(async () => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  await cleanup.run();
});

// The loader processes run this file: on a shared temp dir nobody else may be able to swap it.
test("the loader runtime lives only in a private per-user folder; a folder others can write is refused", async () => {
  const tmp = await cleanup.tempDir("tmpdir");
  process.env.TMPDIR = tmp;
  expect(os.tmpdir()).toBe(tmp);
  const mine = path.join(tmp, `updraft-${process.getuid?.() ?? 0}`);
  await mkdir(mine, { mode: 0o777 });
  await chmod(mine, 0o777);
  await expect(loaderRuntime()).rejects.toThrow(/is not a private folder of this user/);

  await chmod(mine, 0o700);
  const file = await loaderRuntime();
  expect(path.dirname(path.dirname(file))).toBe(mine);
  expect((await stat(file)).mode & 0o077).toBe(0);
});

// The CLI prunes bundle folders unused for a week: a daemon running longer must keep its own.
test("each use of the runtime marks its folder as used", async () => {
  const file = await loaderRuntime();
  const folder = path.dirname(file);
  const weeksAgo = new Date(Date.now() - 30 * 86_400_000);
  await utimes(folder, weeksAgo, weeksAgo);
  expect(await loaderRuntime()).toBe(file);
  expect((await stat(folder)).mtimeMs).toBeGreaterThan(Date.now() - 86_400_000);
});
