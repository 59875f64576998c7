import { Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/log/logger.ts";

// Quotes and a backslash: JSON escapes them, so a mask applied after pretty-printing would miss
// the raw form, and one applied before it must catch the escaped one.
const SECRET = 'tok"en\\s3cr3t-value';

/** A destination that records what is written; `isTTY` stands in for a terminal. */
function destination(isTTY: boolean | undefined) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString("utf8"));
        done();
      },
    }),
    isTTY === undefined ? {} : { isTTY },
  );
  return { stream, text: () => stripVTControlCharacters(chunks.join("")) };
}

function logSomething(stream: NodeJS.WritableStream, pretty?: boolean) {
  const log = createLogger({
    secrets: [SECRET],
    destination: stream,
    ...(pretty === undefined ? {} : { pretty }),
  });
  log.info({ dag: "orders", detail: `git said ${SECRET}` }, `sync failed with ${SECRET}`);
}

describe("createLogger", () => {
  it("writes one JSON line per entry when the destination is not a terminal (CI, containers, tests)", () => {
    for (const isTTY of [undefined, false]) {
      const out = destination(isTTY);
      logSomething(out.stream);
      const lines = out.text().trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      const entry = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
      expect(entry).toMatchObject({
        level: 30,
        service: "updraft",
        dag: "orders",
        msg: "sync failed with ***",
      });
      expect(entry.detail).toBe("git said ***");
      expect(out.text()).not.toContain("s3cr3t");
    }
  });

  it("pretty-prints on a terminal, masked before pretty-printing", () => {
    const out = destination(true);
    logSomething(out.stream);
    const text = out.text();
    expect(() => JSON.parse(text.trim().split("\n")[0] ?? "")).toThrow();
    expect(text).toMatch(/INFO.*: sync failed with \*\*\*/);
    expect(text).toMatch(/dag: "orders"/);
    expect(text).toContain("git said ***");
    expect(text).not.toContain("s3cr3t");
  });

  it("follows an explicit choice over the destination's isTTY", () => {
    const tty = destination(true);
    logSomething(tty.stream, false);
    expect(JSON.parse(tty.text().trim())).toMatchObject({ msg: "sync failed with ***" });

    const pipe = destination(false);
    logSomething(pipe.stream, true);
    expect(pipe.text()).toMatch(/INFO.*: sync failed with \*\*\*/);
    expect(pipe.text()).not.toContain("s3cr3t");
  });
});
