/**
 * readSourceMap answers findEntry exactly as node:module's SourceMap does (the loader's stack
 * traces, and so every call site and error line, must not move), for esbuild's maps and for maps
 * with the odd shapes the decoder must get right.
 */
import { SourceMap, type SourceMapPayload } from "node:module";
import { transform } from "esbuild";
import { describe, expect, test } from "vitest";
import { readSourceMap } from "../../../src/dags/loader/line-source-map.ts";

/** Every position of `lines` lines of up to `columns` columns, and a few past them. */
function expectSameAnswers(text: string, lines: number, columns: number): void {
  const ours = readSourceMap(text);
  const node = new SourceMap(JSON.parse(text) as SourceMapPayload);
  for (let line = -1; line <= lines + 1; line++)
    for (let column = -1; column <= columns + 2; column++) {
      const { originalLine, originalColumn } = node.findEntry(line, column) as {
        originalLine?: number;
        originalColumn?: number;
      };
      const answer = ours.findEntry(line, column);
      expect([answer.originalLine, answer.originalColumn], `${line}:${column}`).toEqual([
        originalLine,
        originalColumn,
      ]);
    }
}

const SOURCES = [
  `import { dag, pod } from "updraft";
import { IMAGE, TAGS } from "../lib/defaults.ts";

export default dag({
  id: "nightly_eu",
  description: "Generated DAG 12 (revision 0)",
  schedule: "12 12 * * *",
  tasks: [
    pod({ id: "step_0", image: IMAGE, command: ["node", "-e", "console.log('x')"], dependsOn: [] }),
    pod({
      id: "step_1",
      image: \`\${IMAGE}-\${TAGS.length}\`,
      resources: { requests: { cpu: "100m" } },
    }),
  ],
});
`,
  `enum Color { Red, Green }
interface Shape<T> { size: T; color: Color }
export function area<T extends number>(shape: Shape<T>): number {
  const label: string = \`\${Color[shape.color]}\`; // a comment
  return label.length > 0 ? shape.size ** 2 : -1;
}
export class Box { constructor(private readonly side: number, public name = "box") {} get area() { return this.side ** 2; } }
export const many = [${Array.from({ length: 200 }, (_, i) => `{ id: ${i}, name: "n${i}" }`).join(", ")}];
`,
];

describe("readSourceMap", () => {
  test.each(SOURCES.map((source, i) => [i, source] as const))(
    "esbuild's map of source %i: every position as node:module answers it",
    async (_i, source) => {
      const { code, map } = await transform(source, {
        loader: "ts",
        format: "esm",
        target: "node20",
        sourcemap: "external",
        sourcesContent: false,
      });
      const lines = code.split("\n");
      expectSameAnswers(map, lines.length, Math.max(...lines.map((line) => line.length)));
    },
  );

  const map = (mappings: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({ version: 3, sources: ["a.ts"], names: ["x"], mappings, ...extra });
  test.each([
    ["empty", map("")],
    ["only separators", map(";;,;")],
    ["segments of one field between full ones", map("AAAA,E,GAAG;C,EAAE,IAAIA;;K")],
    ["a last segment of one field", map("AAAA;E")],
    ["negative deltas and a name", map("AAAA,KAAKA,GAAGD;EAAE,UAAU")],
    ["large values", map("AAAA,+/+/BAAA,gggggBAAgggggB")],
    ["characters outside base64", map("AA*A,E!AA;G")],
    ["out of order, sorted as node:module sorts it", map("KAAK,LAAL;EAAE,AAAA")],
    [
      "an index map with sections",
      JSON.stringify({
        version: 3,
        sections: [{ offset: { line: 1, column: 2 }, map: JSON.parse(map("AAAA,EAAE")) as unknown }],
      }),
    ],
  ])("%s", (_name, text) => {
    expectSameAnswers(text, 6, 40);
  });
});
