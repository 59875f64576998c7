/**
 * DAG modules run as node:vm modules in the loader process, from sources the daemon compiled: what
 * an ES module may do under Node must still work there (built-ins, dynamic import, JSON, import
 * cycles, import.meta), and nothing of the daemon's own module graph is visible to them.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { useLoadedDagSet } from "../support/loaded-dag-set.ts";

const FILES: Record<string, string> = {
  "builtins.ts": `import { dag, pod } from "updraft";
import path from "node:path";
import { createHash } from "node:crypto";

const id = path.basename("/x/from_builtins.ts", ".ts");
export default dag({ id, description: createHash("sha1").update("a").digest("hex"), schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
  "dynamic.ts": `import { dag, pod } from "updraft";

const { IMAGE } = await import("./lib/image.ts");
export default dag({ id: "dynamic", schedule: null, tasks: [pod({ id: "a", image: IMAGE })] });
`,
  "computed.ts": `import { dag, pod } from "updraft";

// A specifier no import scan can read: the loader process asks the daemon for the file.
const name = ["lib", "late.ts"].join("/");
const { LATE } = await import("./" + name);
export default dag({ id: LATE, schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
  "json.ts": `import { dag, pod } from "updraft";
import settings from "./lib/settings.json" with { type: "json" };

export default dag({ id: "json", owner: settings.owner, schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
  "cycle.ts": `import { dag, pod } from "updraft";
import { first } from "./lib/first.ts";

export default dag({ id: "cycle", schedule: null, tasks: [pod({ id: first(), image: "busybox" })] });
`,
  "meta.ts": `import { dag, pod } from "updraft";

const here = import.meta.url.endsWith("/meta.ts") && import.meta.filename.endsWith("/meta.ts") && import.meta.dirname !== undefined;
export default dag({ id: here ? "meta_ok" : "meta_wrong", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
  "no-daemon-globals.ts": `import { dag, pod } from "updraft";

const leaked = typeof (globalThis as Record<string, unknown>).__vitest_worker__ !== "undefined";
export default dag({ id: leaked ? "sees_daemon" : "isolated", schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
  "env.ts": `import { dag, pod } from "updraft";

const seen = JSON.stringify({ repo: process.env.UPDRAFT_REPO ?? null, plain: process.env.UPDRAFT_TEST_PLAIN ?? null, other: process.env.TEST_DAG_VISIBLE ?? null });
export default dag({ id: "env", description: seen, schedule: null, tasks: [pod({ id: "a", image: "busybox" })] });
`,
  "lib/image.ts": `export const IMAGE: string = "busybox:1.36";
`,
  "lib/late.ts": `export const LATE: string = "computed_specifier";
`,
  "lib/settings.json": `{ "owner": "from-json" }
`,
  "lib/first.ts": `import { second } from "./second.ts";
export function first(): string { return "first_" + second(); }
`,
  "lib/second.ts": `import { first } from "./first.ts";
export function second(): string { return typeof first === "function" ? "second" : "broken"; }
`,
};

const ENV = {
  UPDRAFT_REPO: "https://user:not-for-dags@git.example/dags.git",
  UPDRAFT_TEST_PLAIN: "daemon setting",
  TEST_DAG_VISIBLE: "dev",
};

// Registered before the DAG set, so the modules load with these set (and they go after the pool closed).
beforeAll(() => {
  Object.assign(process.env, ENV);
});
afterAll(() => {
  for (const name of Object.keys(ENV)) delete process.env[name];
});
const set = useLoadedDagSet(FILES);

const dagById = (id: string) => set.dags.find((loaded) => loaded.dag.id === id)?.dag;

test("every module loads", () => {
  expect(set.errors).toEqual([]);
  expect(set.dags.map((loaded) => loaded.dag.id)).toEqual([
    "computed_specifier",
    "cycle",
    "dynamic",
    "env",
    "from_builtins",
    "isolated",
    "json",
    "meta_ok",
  ]);
});

test("Node built-ins are imported as usual", () => {
  expect(dagById("from_builtins")?.description).toBe("86f7e437faa5a7fce15d1ddcb9eaeaea377667b8");
});

test("a helper imported by a computed specifier is found (asked for by the loader process)", () => {
  expect(dagById("computed_specifier")).toBeDefined();
});

test("dynamic import() of a helper, JSON imports and import cycles between helpers work", () => {
  expect(dagById("dynamic")?.tasks[0]?.image).toBe("busybox:1.36");
  expect(dagById("json")?.owner).toBe("from-json");
  expect(dagById("cycle")?.tasks[0]?.id).toBe("first_second");
});

test("DAG code sees the environment except the daemon's own UPDRAFT_* settings (a repo URL may hold a token)", () => {
  expect(JSON.parse(dagById("env")?.description ?? "{}")).toEqual({ repo: null, plain: null, other: "dev" });
});
