import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CONFIG_DOC, configurationDoc } from "../../scripts/docs-config.ts";
import { COMMANDS } from "../../src/config/commands.ts";
import { ENVIRONMENT_ONLY, renderConfigReference } from "../../src/config/config-reference.ts";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));
const README = fileURLToPath(new URL("../../README.md", import.meta.url));
const FLAGS = COMMANDS.flatMap((command) => command.flags);

describe("configuration reference", () => {
  it("docs/configuration.md is up to date (run `npm run docs:config`)", async () => {
    const doc = await readFile(CONFIG_DOC, "utf8");
    expect(doc).toBe(await configurationDoc());
    // A table cell of its own, however prettier pads it.
    const cell = (name: string) => new RegExp(`\\| \`${name}\` +\\|`);
    for (const flag of FLAGS) expect(doc).toMatch(cell(flag.env));
    for (const setting of ENVIRONMENT_ONLY) expect(doc).toMatch(cell(setting.name));
  });

  it("README.md links to it instead of holding a copy", async () => {
    const readme = await readFile(README, "utf8");
    expect(readme).toContain("(docs/configuration.md)");
    expect(readme).not.toContain("| flag | environment | default | meaning |");
    expect(readme).not.toMatch(/^\| flag +\| environment +\|/m);
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
    // What docs/configuration.md itself names, not what the code says it documents.
    const doc = await readFile(CONFIG_DOC, "utf8");
    const documented = new Set([...doc.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]));
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
