// `--pool NAME=N` (repeatable; UPDRAFT_POOL a comma list) and `--pools FILE` (issue #15 point 8).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SettingsFileError } from "../../src/config/yaml-file.ts";
import { spawnCli } from "../daemon/support/daemon-process.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { config, messageOf, usageError } from "./run-config-helpers.ts";

const cleanup = useCleanup("file");
let dir: string;
beforeAll(async () => {
  dir = await cleanup.tempDir("pool-flags");
});

async function file(name: string, text: string): Promise<string> {
  const target = path.join(dir, name);
  await writeFile(target, text);
  return target;
}

const pools = (entries: Array<[string, number]>) => new Map(entries);

describe("pool flags in the run config", () => {
  it("reads --pool repeated, UPDRAFT_POOL as a comma list, and none as no pools", () => {
    expect(config(["--dags", "d", "--pool", "warehouse=4", "--pool", "gpu=1"]).pools).toEqual(
      pools([
        ["warehouse", 4],
        ["gpu", 1],
      ]),
    );
    expect(config(["--dags", "d"], { UPDRAFT_POOL: "warehouse=4, gpu=1" }).pools).toEqual(
      pools([
        ["warehouse", 4],
        ["gpu", 1],
      ]),
    );
    // The flag beats its variable, as for every flag.
    expect(config(["--dags", "d", "--pool", "a=2"], { UPDRAFT_POOL: "b=3" }).pools).toEqual(
      pools([["a", 2]]),
    );
    expect(config(["--dags", "d"]).pools).toEqual(pools([]));
  });

  it("reads --pools FILE and adds the --pool flags to it", async () => {
    const yaml = await file("pools.yaml", "# slots per pool\nwarehouse: 4\ngpu: 1\n");
    expect(config(["--dags", "d", "--pools", yaml, "--pool", "io=8"]).pools).toEqual(
      pools([
        ["warehouse", 4],
        ["gpu", 1],
        ["io", 8],
      ]),
    );
  });

  it.each([
    ["warehouse", '--pool: "warehouse" is not NAME=N (e.g. "warehouse=4")'],
    ["warehouse=0", '--pool: "warehouse=0" is not NAME=N with N a whole number ≥ 1 (e.g. "warehouse=4")'],
    ["x=-1", '--pool: "x=-1" is not NAME=N with N a whole number ≥ 1 (e.g. "warehouse=4")'],
    ["x=1.5", '--pool: "x=1.5" is not NAME=N with N a whole number ≥ 1 (e.g. "warehouse=4")'],
    ["a/b=2", `--pool: "a/b" is not a pool name: it may only contain letters, digits, '_', '-' and '.'`],
    ["a=1,a=2", '--pool: pool "a" is given twice'],
  ])("refuses --pool %s naming the flag", (value, message) => {
    expect(usageError(() => config(["--dags", "d", "--pool", value]))).toBe(message);
  });

  it("keeps pools named like Object.prototype properties, in --pools as with --pool", async () => {
    const yaml = await file("proto.yaml", "__proto__: 3\nconstructor: 2\ntoString: 1\n");
    expect(config(["--dags", "d", "--pools", yaml, "--pool", "hasOwnProperty=5"]).pools).toEqual(
      pools([
        ["__proto__", 3],
        ["constructor", 2],
        ["toString", 1],
        ["hasOwnProperty", 5],
      ]),
    );
    const bad = await file("proto-bad.yaml", "ok: 1\n__proto__: 0\n");
    expect(messageOf(SettingsFileError, () => config(["--dags", "d", "--pools", bad]))).toBe(
      `--pools: ${bad}:2: __proto__: a pool has at least 1 slot (a whole number)`,
    );
  });

  it("refuses a pool both in --pools and --pool", async () => {
    const yaml = await file("dup.yaml", "warehouse: 4\n");
    expect(usageError(() => config(["--dags", "d", "--pools", yaml, "--pool", "warehouse=2"]))).toBe(
      `--pool: pool "warehouse" is also in --pools ${yaml}; give it once`,
    );
  });

  it("refuses a bad --pools file naming the file and the line", async () => {
    const zero = await file("zero.yaml", "warehouse: 4\ngpu: 0\n");
    expect(messageOf(SettingsFileError, () => config(["--dags", "d", "--pools", zero]))).toBe(
      `--pools: ${zero}:2: gpu: a pool has at least 1 slot (a whole number)`,
    );
    const badName = await file("name.yaml", "warehouse: 4\n'a b': 2\n");
    expect(messageOf(SettingsFileError, () => config(["--dags", "d", "--pools", badName]))).toMatch(
      new RegExp(`^--pools: ${badName}(:2)?: .*not a pool name`),
    );
    const list = await file("list.yaml", "- warehouse\n");
    expect(messageOf(SettingsFileError, () => config(["--dags", "d", "--pools", list]))).toContain(
      `--pools: ${list}`,
    );
  });

  it("exits 2 with the flag's message when `updraft run` gets a bad --pool", async () => {
    const cli = spawnCli(cleanup, ["run", "--dags", dir, "--pool", "warehouse"]);
    expect((await cli.exited).code).toBe(2);
    expect(cli.output()).toContain('--pool: "warehouse" is not NAME=N (e.g. "warehouse=4")');
  });
});
