// Crafted watch lines against the peek (attack6): whatever it reads must be what the parser reads,
// else a tracked Pod's event could be skipped as another Pod's.
import { describe, expect, it } from "vitest";
import { peekWatchEvent } from "../../src/kubernetes/watch-event-peek.ts";

const crafted: Array<[string, string]> = [
  [
    "a name holding a quoted type",
    JSON.stringify({ type: "ADDED", object: { metadata: { name: 'a","type":"DELETED' } } }),
  ],
  [
    "a name holding the start of another metadata",
    JSON.stringify({ type: "MODIFIED", object: { metadata: { name: 'x"},"metadata":{"name":"tracked' } } }),
  ],
  ["a unicode-escaped quote in the name", '{"type":"DELETED","object":{"metadata":{"name":"a\\u0022b"}}}'],
  ["a unicode-escaped name", '{"type":"DELETED","object":{"metadata":{"name":"\\u0074racked"}}}'],
  ["a kind holding an escaped quote", '{"type":"ADDED","object":{"kind":"P\\"","metadata":{"name":"p"}}}'],
  [
    "three kind/apiVersion fields first",
    '{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}}',
  ],
  ["whitespace after a colon", '{"type": "DELETED","object":{"metadata":{"name":"p"}}}'],
  ["the object first", JSON.stringify({ object: { metadata: { name: "p" } }, type: "DELETED" })],
  ["a type with a suffix", '{"type":"DELETEDX","object":{"metadata":{"name":"p"}}}'],
  ["an empty name", '{"type":"DELETED","object":{"metadata":{"name":""}}}'],
  [
    "a label before the name",
    JSON.stringify({ type: "ADDED", object: { metadata: { labels: { name: "q" }, name: "p" } } }),
  ],
  [
    "a plain Pod",
    JSON.stringify({
      type: "MODIFIED",
      object: { kind: "Pod", apiVersion: "v1", metadata: { name: "p-1" } },
    }),
  ],
];

describe("peekWatchEvent against crafted lines", () => {
  it.each(crafted)("%s: reads nothing, or what the parser reads", (_, text) => {
    const parsed = JSON.parse(text) as { type: string; object: { metadata: { name: string } } };
    const peeked = peekWatchEvent(text);
    if (peeked) expect(peeked).toEqual({ type: parsed.type, name: parsed.object.metadata.name });
  });

  it("the plain shape is read (the oracle above is not vacuous)", () => {
    expect(peekWatchEvent(crafted.at(-1)?.[1] ?? "")).toEqual({ type: "MODIFIED", name: "p-1" });
  });
});
