import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { readTexts } from "../../../src/dags/discovery/read-texts.ts";
import { type DagFolder, makeDagFolder } from "../support/dag-folder.ts";

describe("readTexts", () => {
  let folder: DagFolder;
  const files = Array.from({ length: 300 }, (_, index) => `f${index}.ts`);

  beforeAll(async () => {
    folder = await makeDagFolder(Object.fromEntries(files.map((file, index) => [file, `// ${index} ü\n`])));
  });
  afterAll(() => folder.cleanup());

  test("gives every file's UTF-8 text with its index, in order, across chunks", async () => {
    const seen: Array<[number, string]> = [];
    await readTexts(
      files.map((file) => `${folder.root}/${file}`),
      (index, text) => seen.push([index, text]),
    );
    expect(seen).toEqual(files.map((_, index) => [index, `// ${index} ü\n`]));
  });

  test("lets other work run between chunks", async () => {
    // Counts turns of the event loop (one per check phase) while the files are read.
    let ticks = 0;
    let running = true;
    const tick = () => {
      ticks += 1;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    const many = Array.from({ length: 40 }, () => files).flat();
    let lastTicks = -1;
    let turns = 0;
    await readTexts(
      many.map((file) => `${folder.root}/${file}`),
      () => {
        if (ticks !== lastTicks) turns += 1;
        lastTicks = ticks;
      },
    );
    running = false;
    expect(turns).toBeGreaterThan(1);
  });

  test("rejects when a file cannot be read, as readFile did", async () => {
    await expect(
      readTexts([`${folder.root}/f1.ts`, `${folder.root}/gone.ts`], () => undefined),
    ).rejects.toThrow(/ENOENT/);
  });
});
