import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { withConfigReference, README } from "../../scripts/docs-config.ts";
import { CHECK_FLAGS, TRIGGER_FLAGS } from "../../src/cli.ts";
import { ENVIRONMENT_ONLY, renderConfigReference } from "../../src/config/config-reference.ts";
import { envNameOf } from "../../src/config/flags.ts";
import { RUN_FLAGS } from "../../src/config/run-config.ts";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

describe("configuration reference", () => {
  it("README.md's generated block is up to date (run `npm run docs:config`)", async () => {
    const readme = await readFile(README, "utf8");
    expect(await withConfigReference(readme)).toBe(readme);
    for (const flag of [...RUN_FLAGS, ...CHECK_FLAGS, ...TRIGGER_FLAGS])
      expect(readme).toContain(`\`${envNameOf(flag.name)}\``);
  });

  it("renders each flag with its variable and its default, fixed or in words", () => {
    const text = renderConfigReference(
      [
        {
          usage: "updraft demo",
          flags: [
            { name: "poll-every", type: "string", default: "5m", description: "How often | how long." },
            { name: "where", type: "string", defaultText: "the context's", description: "Where." },
            { name: "json", type: "boolean", description: "JSON." },
          ],
        },
      ],
      [{ name: "SOME_TOKEN", description: "A token." }],
    );
    expect(text).toContain("#### `updraft demo`");
    expect(text).toContain(
      "| `--poll-every <value>` | `UPDRAFT_POLL_EVERY` | `5m` | How often \\| how long. |",
    );
    expect(text).toContain("| `--where <value>` | `UPDRAFT_WHERE` | the context's | Where. |");
    expect(text).toContain("| `--json` | `UPDRAFT_JSON` | `false` | JSON. |");
    expect(text).toContain("| `SOME_TOKEN` | A token. |");
  });

  it("lists every environment variable the code reads that is not a flag's", async () => {
    const documented = new Set([
      ...[...RUN_FLAGS, ...CHECK_FLAGS, ...TRIGGER_FLAGS].map((flag) => envNameOf(flag.name)),
      ...ENVIRONMENT_ONLY.map((setting) => setting.name),
    ]);
    const read = new Set<string>();
    for (const file of await readdir(SRC, { recursive: true })) {
      if (!/\.(ts|mts|mjs)$/.test(file)) continue;
      const text = await readFile(path.join(SRC, file), "utf8");
      for (const match of text.matchAll(/\benv(?:\.([A-Z][A-Z0-9_]*)|\["([A-Z][A-Z0-9_]*)"\])/g))
        read.add(match[1] ?? match[2] ?? "");
    }
    expect(read.size).toBeGreaterThan(0);
    expect([...read].filter((name) => !documented.has(name))).toEqual([]);
  });
});
