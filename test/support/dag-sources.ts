/** Source text of DAG modules for sync tests, with the lines errors are expected on. */

export interface DagModuleOptions {
  /** What the one task echoes: the simplest way to make two versions of a DAG differ. */
  echo?: string;
  schedule?: string | null;
  /** A TypeScript expression for the task's image (e.g. an imported helper's constant). */
  image?: string;
  /** Lines after the `updraft` import (helper imports, say). */
  head?: string[];
}

/** A valid DAG module exporting DAG `id` with one task, `main`. */
export function dagModule(id: string, options: DagModuleOptions = {}): string {
  const { echo = "v1", schedule = null, image = JSON.stringify("busybox:1.36"), head = [] } = options;
  return [
    'import { dag, pod } from "updraft";',
    ...head,
    "",
    "export default dag({",
    `  id: ${JSON.stringify(id)},`,
    `  schedule: ${JSON.stringify(schedule)},`,
    '  startDate: "2026-01-01",',
    `  tasks: [pod({ id: "main", image: ${image}, command: ["echo", ${JSON.stringify(echo)}] })],`,
    "});",
    "",
  ].join("\n");
}

/** A DAG module that throws `message` while it loads, and the line of the throw. */
export function throwingModule(id: string, message: string): { text: string; line: number } {
  const lines = [
    'import { dag, pod } from "updraft";',
    "",
    "const settings: Record<string, string> = {};",
    `if (!settings.ready) throw new Error(${JSON.stringify(message)});`,
    "",
    `export default dag({ id: ${JSON.stringify(id)}, schedule: null, tasks: [pod({ id: "main", image: "busybox:1.36" })] });`,
    "",
  ];
  return { text: lines.join("\n"), line: lineOf(lines, "throw new Error") };
}

/** A DAG module with a syntax error (a missing comma), and the line the parser stops at. */
export function syntaxErrorModule(id: string): { text: string; line: number } {
  const lines = [
    'import { dag, pod } from "updraft";',
    "",
    "export default dag({",
    `  id: ${JSON.stringify(id)},`,
    "  schedule: null",
    '  startDate: "2026-01-01",',
    '  tasks: [pod({ id: "main", image: "busybox:1.36" })],',
    "});",
    "",
  ];
  return { text: lines.join("\n"), line: lineOf(lines, "startDate") };
}

function lineOf(lines: readonly string[], marker: string): number {
  const index = lines.findIndex((line) => line.includes(marker));
  if (index < 0) throw new Error(`no line contains ${marker}`);
  return index + 1;
}
