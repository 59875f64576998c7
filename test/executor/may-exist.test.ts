import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mayExist } from "../../src/executor/may-exist.ts";
import { extractResult } from "../../src/executor/result-marker.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "updraft-may-exist-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("mayExist (the no-error check before reading a try's side files)", () => {
  it("is false only for a file that is certainly absent", async () => {
    const file = path.join(dir, "try-1.log");
    expect(mayExist(file)).toBe(false);
    await writeFile(file, "");
    expect(mayExist(file)).toBe(true);
    // Not ENOENT (a path through a file: ENOTDIR): left to the caller's read, which names it.
    expect(mayExist(path.join(file, "outcome"))).toBe(true);
  });

  it("keeps extractResult's answers: no log is no result, an unreadable one fails the try, named", async () => {
    const log = path.join(dir, "try-1.log");
    expect(await extractResult(log)).toEqual({ ok: true, result: { present: false } });
    const under = path.join(log, "nested.log");
    await writeFile(log, '::updraft-result::{"a":1}\n');
    expect(await extractResult(log)).toEqual({ ok: true, result: { present: true, value: { a: 1 } } });
    const failed = await extractResult(under);
    expect(failed.ok).toBe(false);
    expect(failed.ok ? "" : failed.reason).toMatch(/ENOTDIR/);
  });
});
