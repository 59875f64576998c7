import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

const FLAG = "--max-semi-space-size=2";
const read = (file: string) => readFile(new URL(`../../${file}`, import.meta.url), "utf8");

// bin/updraft.mjs says why the daemon caps V8's young generation; every way of starting it must agree,
// and bench:load must measure the daemon as it ships.
describe("the daemon's Node flags", () => {
  it("are the same on every launch path: the bin's shebang, npm start, the Dockerfile and bench:load", async () => {
    const shebang = (await read("bin/updraft.mjs")).split("\n")[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${FLAG}`);
    const scripts = (JSON.parse(await read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toMatch(new RegExp(`^node ${FLAG} bin/updraft\\.mjs run `));
    expect(scripts["bench:load"]?.split(" ")).toContain(FLAG);
    const entrypoint = (await read("Dockerfile")).split("\n").find((line) => line.startsWith("ENTRYPOINT"));
    expect(entrypoint).toContain(`"node", "${FLAG}", "bin/updraft.mjs"`);
  });
});
