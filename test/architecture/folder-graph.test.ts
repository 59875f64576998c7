// The folders under src/ depend on each other in one direction only (issue #12): a reader can learn
// the tree bottom-up, and a change low in it never needs one above.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { folderCycles, folderGraph } from "./folder-graph.ts";

const SRC = path.resolve(fileURLToPath(new URL("../../src", import.meta.url)));

describe("src/ folder graph", () => {
  it("has no cycle between folders", () => {
    const graph = folderGraph(SRC);
    const edges = [...graph].map(([from, to]) => `${from} -> ${[...to].sort().join(", ")}`);
    expect(folderCycles(graph), edges.join("\n")).toEqual([]);
  });

  it("keeps the composition roots (cli.ts, daemon.ts) at the top: no folder imports them", () => {
    const graph = folderGraph(SRC);
    const importers = [...graph].filter(([from, to]) => from !== "." && to.has(".")).map(([from]) => from);
    expect(importers).toEqual([]);
  });

  it("keeps @kubernetes/client-node inside src/kubernetes", async () => {
    const { execFileSync } = await import("node:child_process");
    const files = execFileSync("grep", ["-rl", "@kubernetes/client-node", SRC], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((file) => path.relative(SRC, file).split(path.sep)[0]);
    expect(new Set(files)).toEqual(new Set(["kubernetes"]));
  });

  it("finds a cycle when there is one (the check itself can fail)", () => {
    const graph = new Map([
      ["a", new Set(["b"])],
      ["b", new Set(["c"])],
      ["c", new Set(["a"])],
      ["d", new Set(["a"])],
    ]);
    expect(folderCycles(graph)).toEqual([["a", "b", "c"]]);
  });
});
