// Ids that are also names on Object.prototype behave like any other id: 404 when unknown, served
// when they exist (issue #11, point 1).
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { startFolderDaemon } from "../support/ready-daemon.ts";
import { type TestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");
let daemon: TestDaemon;

/** DAG `constructor` whose tasks are `constructor` and `__proto__`; each prints its own id. */
const CONSTRUCTOR_DAG = `import { dag, pod } from "updraft";
export default dag({ id: "constructor", schedule: null, tasks: [
  pod({ id: "constructor", image: "busybox:1.36", command: ["node", "-e", "console.log('I am constructor')"] }),
  pod({ id: "__proto__", image: "busybox:1.36", dependsOn: ["constructor"], command: ["node", "-e", "console.log('I am __proto__')"] }),
] });
`;

beforeAll(async () => {
  ({ daemon } = await startFolderDaemon(cleanup, "prototype-dags", { "constructor.ts": CONSTRUCTOR_DAG }));
}, 60_000);

const PROTOTYPE_NAMES = [
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
];

describe("unknown ids that are Object.prototype names", () => {
  const apiPaths = [
    "/api/runs/constructor",
    "/api/runs/__proto__",
    "/api/runs/toString",
    "/api/runs/hasOwnProperty",
    "/api/runs/valueOf",
    "/api/runs/constructor/tasks/x/logs",
    "/api/runs/hasOwnProperty/tasks/constructor/logs",
    "/api/dags/toString",
    "/api/dags/__proto__",
    "/api/dags/hasOwnProperty/runs",
    "/api/dags/valueOf/runs?before=constructor",
  ];
  it.each(apiPaths)("GET %s answers 404 JSON", async (apiPath) => {
    const response = await daemon.request(apiPath);
    expect(response.status, response.text).toBe(404);
    expect(response.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });

  it.each([
    ["/api/dags/toString/runs", "{}"],
    ["/api/dags/__proto__/pause", ""],
    ["/api/runs/constructor/tasks/x/clear", ""],
    ["/api/runs/__proto__/tasks/__proto__/clear", ""],
    ["/api/runs/constructor/retry-failed", ""],
    ["/api/runs/__proto__/retry-failed", ""],
  ])("POST %s answers 404 JSON", async (apiPath, body) => {
    const response = await daemon.request(apiPath, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    expect(response.status, response.text).toBe(404);
    expect(response.body).toEqual({ error: { code: "not_found", message: expect.any(String) } });
  });

  const pagePaths = PROTOTYPE_NAMES.flatMap((name) => [
    `/runs/${name}`,
    `/runs/${name}/tasks/x/logs`,
    `/dags/${name}`,
  ]);
  // DAG constructor exists here.
  it.each(pagePaths.filter((p) => p !== "/dags/constructor"))("the page %s answers 404", async (pagePath) => {
    const response = await daemon.request(pagePath);
    expect(response.status, response.text.slice(0, 200)).toBe(404);
    expect(response.text).toContain("<html");
  });

  it("a ?before= cursor named like a prototype property is a 400, not a 500", async () => {
    const response = await daemon.request("/api/runs?before=constructor");
    expect(response.status, response.text).toBe(400);
  });
});

describe("a DAG and tasks named constructor and __proto__", () => {
  it("is listed with its paused flag, triggered, run, and its runs and logs are served", async () => {
    const dags = await daemon.dags();
    const listed = dags.find((d) => d.id === "constructor");
    expect(listed).toMatchObject({ id: "constructor", paused: false });
    expect(listed && "paused" in listed && typeof listed.paused).toBe("boolean");
    expect((await daemon.dag("constructor")).paused).toBe(false);

    const triggered = await daemon.request("/api/dags/constructor/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      // Literal JSON: in an object literal `__proto__: "p"` would not be a key.
      body: '{"conf":{"constructor":"c","__proto__":"p"}}',
    });
    expect(triggered.status, triggered.text).toBe(201);
    const runId: string = triggered.body.runId;
    const run = await waitFor("the run of DAG constructor to finish", async () => {
      const response = await daemon.request(`/api/runs/${runId}`);
      return response.body?.state === "success" || response.body?.state === "failed"
        ? response.body
        : undefined;
    });
    expect(run.state).toBe("success");
    expect(run.tasks.map((t: { id: string; state: string }) => [t.id, t.state])).toEqual([
      ["constructor", "success"],
      ["__proto__", "success"],
    ]);
    expect(run.conf).toEqual(JSON.parse('{"constructor":"c","__proto__":"p"}'));

    for (const task of ["constructor", "__proto__"]) {
      const log = await daemon.request(`/api/runs/${runId}/tasks/${task}/logs`);
      expect(log.status, log.text).toBe(200);
      expect(log.text).toContain(`I am ${task}`);
      const page = await daemon.request(`/runs/${runId}/tasks/${task}/logs`);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`I am ${task}`);
    }
    const runs = await daemon.request("/api/dags/constructor/runs");
    expect(runs.body.map((r: { id: string }) => r.id)).toEqual([runId]);
    expect((await daemon.request(`/runs/${runId}`)).status).toBe(200);
    expect((await daemon.request("/dags/constructor")).status).toBe(200);

    const paused = await daemon.request("/api/dags/constructor/pause", { method: "POST" });
    expect(paused.status, paused.text).toBe(200);
    expect((await daemon.dags()).find((d) => d.id === "constructor")?.paused).toBe(true);
  }, 60_000);
});
