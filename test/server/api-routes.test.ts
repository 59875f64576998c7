// Every JSON route of a started daemon (local-folder mode, local executor), through app.request().
import { writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { waitFor } from "../support/wait-for.ts";
import { useApiDaemon } from "./support/api-daemon.ts";

const api = useApiDaemon();

const errorShape = { error: { code: expect.any(String), message: expect.any(String) } };

describe("read routes", () => {
  it("GET /api/status has the contract's fields", async () => {
    const { status, body } = await api.call("GET", "/api/status");
    expect(status).toBe(200);
    expect(Object.keys(body.sync)).toEqual(
      expect.arrayContaining([
        "repo",
        "branch",
        "lastAppliedCommit",
        "lastAttemptedCommit",
        "lastSyncAt",
        "lastSuccessAt",
        "lastError",
        "nextSyncAt",
      ]),
    );
    expect(body.dags).toEqual({ total: 4, paused: 1, importErrors: 1 });
    expect(body.runs).toEqual({ running: expect.any(Number), queued: expect.any(Number) });
    expect(body.version).toEqual(expect.any(String));
  });

  it("GET /api/dags lists every DAG with the contract's fields", async () => {
    const { status, body } = await api.call("GET", "/api/dags");
    expect(status).toBe(200);
    expect(body.map((dag: { id: string }) => dag.id).sort()).toEqual([
      "fail_dag",
      "gated_dag",
      "ok_dag",
      "paused_dag",
    ]);
    for (const dag of body)
      for (const field of [
        "id",
        "file",
        "schedule",
        "timezone",
        "paused",
        "nextRunAt",
        "commit",
        "tasks",
        "lastRun",
        "stale",
        "importError",
      ])
        expect(dag, field).toHaveProperty(field);
    const paused = body.find((dag: { id: string }) => dag.id === "paused_dag");
    expect(paused).toMatchObject({ paused: true, schedule: "@daily", nextRunAt: null });
  });

  it("GET /api/dags/:dagId has tasks, dependencies and recent runs; 404 for an unknown DAG", async () => {
    const { status, body } = await api.call("GET", "/api/dags/ok_dag");
    expect(status).toBe(200);
    expect(body.tasks).toEqual([
      { id: "say", image: "busybox:1.36", dependsOn: [] },
      { id: "after", image: "busybox:1.36", dependsOn: ["say"] },
    ]);
    expect(body.runs).toEqual(expect.any(Array));
    const missing = await api.call("GET", "/api/dags/no_such_dag");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ error: { code: "not_found", message: 'no DAG with id "no_such_dag"' } });
  });

  it("GET /api/import-errors names the file and line", async () => {
    const { status, body } = await api.call("GET", "/api/import-errors");
    expect(status).toBe(200);
    expect(body).toEqual([
      expect.objectContaining({
        file: "broken.ts",
        line: 2,
        commit: null,
        message: expect.stringContaining("broken on purpose"),
      }),
    ]);
  });

  it("GET /api/syncs lists sync records newest first", async () => {
    const { status, body } = await api.call("GET", "/api/syncs");
    expect(status).toBe(200);
    expect(body.length).toBeGreaterThan(0);
    expect(Object.keys(body[0]).sort()).toEqual(
      ["at", "changes", "durationMs", "error", "ok", "previousSha", "sha"].sort(),
    );
  });

  it("GET /metrics answers Prometheus text", async () => {
    const response = await api.call("GET", "/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    expect(response.text).toContain("# TYPE updraft_runs_total counter");
  });

  it("GET /healthz and /readyz answer 200 once started and loaded", async () => {
    expect((await api.call("GET", "/healthz")).body).toMatchObject({ status: "ok", ok: true });
    expect((await api.call("GET", "/readyz")).status).toBe(200);
  });

  it("an unknown path or method answers 404 JSON", async () => {
    for (const [method, path] of [
      ["GET", "/api/nothing"],
      ["DELETE", "/api/dags/ok_dag"],
      ["PUT", "/api/sync"],
    ] as const) {
      const response = await api.call(method, path);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        error: { code: "not_found", message: `no route for ${method} ${path}` },
      });
    }
  });
});

describe("runs", () => {
  it("triggers a run with a conf (201 { runId }) and shows it with the contract's fields", async () => {
    const runId = await api.runToEnd("ok_dag", { region: "eu" });
    const { status, body } = await api.call("GET", `/api/runs/${runId}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: runId,
      dagId: "ok_dag",
      state: "success",
      trigger: "manual",
      conf: { region: "eu" },
      commit: null,
      startedAt: expect.any(String),
      endedAt: expect.any(String),
      logicalDate: expect.any(String),
    });
    expect(body.tasks.map((task: { id: string }) => task.id)).toEqual(["say", "after"]);
    expect(body.tasks[0]).toMatchObject({
      id: "say",
      state: "success",
      try: 1,
      exitCode: 0,
      podName: null,
      reason: null,
      result: { n: 1 },
      startedAt: expect.any(String),
      endedAt: expect.any(String),
    });
  });

  it("a failing task fails its run with the exit code", async () => {
    const runId = await api.runToEnd("fail_dag");
    const { body } = await api.call("GET", `/api/runs/${runId}`);
    expect(body.state).toBe("failed");
    expect(body.tasks[0]).toMatchObject({ state: "failed", exitCode: 3 });
  });

  it("serves a try's log as text/plain; 404 for a try, task or run that does not exist; 400 for a bad try", async () => {
    const runId = await api.runToEnd("ok_dag");
    const log = await api.call("GET", `/api/runs/${runId}/tasks/say/logs`);
    expect(log.status).toBe(200);
    expect(log.headers.get("content-type")).toContain("text/plain");
    expect(log.text).toContain("hello <b>");
    expect((await api.call("GET", `/api/runs/${runId}/tasks/say/logs?try=1`)).text).toBe(log.text);
    for (const [path, status] of [
      [`/api/runs/${runId}/tasks/say/logs?try=2`, 404],
      [`/api/runs/${runId}/tasks/nope/logs`, 404],
      ["/api/runs/no_such_run/tasks/say/logs", 404],
      [`/api/runs/${runId}/tasks/say/logs?try=0`, 400],
      [`/api/runs/${runId}/tasks/say/logs?try=one`, 400],
    ] as const) {
      const response = await api.call("GET", path);
      expect(response.status, path).toBe(status);
      expect(response.body, path).toEqual(errorShape);
    }
  });

  it("GET /api/runs/:runId answers 404 for an unknown run", async () => {
    const response = await api.call("GET", "/api/runs/ok_dag__manual__20990101T000000Z_abcdef");
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe("not_found");
  });

  it("clears a finished task: the run goes again and the task gets try 2", async () => {
    const runId = await api.runToEnd("ok_dag");
    const cleared = await api.call("POST", `/api/runs/${runId}/tasks/say/clear`);
    expect(cleared.status).toBe(200);
    expect(cleared.body.id).toBe(runId);
    const run = await waitFor("the cleared run to finish again", async () => {
      const { body } = await api.call("GET", `/api/runs/${runId}`);
      return body.state === "success" && body.tasks[0].try === 2 ? body : undefined;
    });
    expect(run.tasks[1].try).toBe(2);
  });

  it("answers 409 for clearing a running task or retrying a running run, 404 for an unknown task or run", async () => {
    const triggered = await api.call("POST", "/api/dags/gated_dag/runs", { body: {} });
    expect(triggered.status).toBe(201);
    const runId = triggered.body.runId;
    await waitFor("gated_dag's task to run", async () => {
      const { body } = await api.call("GET", `/api/runs/${runId}`);
      return body.tasks[0].state === "running" ? true : undefined;
    });
    const running = await api.call("POST", `/api/runs/${runId}/tasks/wait/clear`);
    expect(running.status).toBe(409);
    expect(running.body.error).toEqual({ code: "conflict", message: expect.stringContaining("running") });
    expect((await api.call("POST", `/api/runs/${runId}/tasks/nope/clear`)).status).toBe(404);
    expect((await api.call("POST", "/api/runs/no_such_run/tasks/wait/clear")).status).toBe(404);
    const retry = await api.call("POST", `/api/runs/${runId}/retry-failed`);
    expect(retry.status).toBe(409);
    expect(retry.body.error).toEqual({
      code: "conflict",
      message: `run "${runId}" is running; only a finished run can retry its failed tasks`,
    });
    const unknown = await api.call("POST", "/api/runs/no_such_run/retry-failed");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual({ code: "not_found", message: 'no run with id "no_such_run"' });
    await writeFile(api.gate, "go");
    await waitFor("gated_dag's run to finish", async () => {
      const { body } = await api.call("GET", `/api/runs/${runId}`);
      return body.state === "success" ? true : undefined;
    });
  });

  it("pause refuses triggers with 409 until unpause; both answer 200 with the new flag", async () => {
    const paused = await api.call("POST", "/api/dags/fail_dag/pause");
    expect(paused).toMatchObject({ status: 200, body: { dagId: "fail_dag", paused: true } });
    const refused = await api.call("POST", "/api/dags/fail_dag/runs", { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toEqual({ code: "paused", message: expect.stringContaining("unpause") });
    expect((await api.call("GET", "/api/dags/fail_dag")).body.paused).toBe(true);
    const unpaused = await api.call("POST", "/api/dags/fail_dag/unpause");
    expect(unpaused).toMatchObject({ status: 200, body: { dagId: "fail_dag", paused: false } });
    expect((await api.call("POST", "/api/dags/no_such_dag/pause")).status).toBe(404);
    expect((await api.call("POST", "/api/dags/no_such_dag/unpause")).status).toBe(404);
    expect((await api.call("POST", "/api/dags/no_such_dag/runs", { body: {} })).status).toBe(404);
  });

  it("POST /api/sync answers 202 and a sync record follows", async () => {
    const before = (await api.call("GET", "/api/syncs?limit=1000")).body.length;
    expect((await api.call("POST", "/api/sync")).status).toBe(202);
    await waitFor("a new sync record", async () =>
      (await api.call("GET", "/api/syncs?limit=1000")).body.length > before ? true : undefined,
    );
  });
});

describe("pagination", () => {
  /** Follows `Link: <…>; rel="next"` from `first` to the end; returns the items of every page. */
  async function allPages(first: string): Promise<{ pages: number; items: Array<Record<string, string>> }> {
    const items: Array<Record<string, string>> = [];
    let next: string | undefined = first;
    let pages = 0;
    while (next) {
      const response = await api.call("GET", next);
      expect(response.status, next).toBe(200);
      expect(Array.isArray(response.body)).toBe(true);
      items.push(...response.body);
      pages++;
      next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get("link") ?? "")?.[1];
      expect(pages).toBeLessThan(50);
    }
    return { pages, items };
  }

  it("pages a DAG's runs with ?limit and ?before=<run id>: every run once, newest first", async () => {
    for (let i = 0; i < 3; i++) await api.runToEnd("ok_dag");
    const full = (await api.call("GET", "/api/dags/ok_dag/runs")).body;
    expect(full.length).toBeGreaterThanOrEqual(5);
    const { pages, items } = await allPages("/api/dags/ok_dag/runs?limit=2");
    expect(items.map((run) => run.id)).toEqual(full.map((run: { id: string }) => run.id));
    expect(pages).toBe(Math.ceil(full.length / 2));
    const dates = items.map((run) => run.logicalDate);
    expect(dates).toEqual([...dates].sort().reverse());
    expect((await api.call("GET", "/api/dags/no_such_dag/runs")).status).toBe(404);
  });

  it("also takes ?before=<ISO time>: runs whose logical date is strictly before it", async () => {
    const full = (await api.call("GET", "/api/dags/ok_dag/runs")).body;
    const third = full[2];
    const { status, body } = await api.call("GET", `/api/dags/ok_dag/runs?before=${third.logicalDate}`);
    expect(status).toBe(200);
    expect(body.map((run: { id: string }) => run.id)).toEqual(
      full
        .filter((run: { logicalDate: string }) => run.logicalDate < third.logicalDate)
        .map((run: { id: string }) => run.id),
    );
  });

  it("GET /api/runs lists every DAG's runs newest first, paged the same way", async () => {
    const full = (await api.call("GET", "/api/runs?limit=1000")).body;
    expect(new Set(full.map((run: { dagId: string }) => run.dagId))).toEqual(
      new Set(["ok_dag", "fail_dag", "gated_dag"]),
    );
    const { items } = await allPages("/api/runs?limit=3");
    expect(items.map((run) => run.id)).toEqual(full.map((run: { id: string }) => run.id));
  });

  it("pages /api/syncs with ?before=<ISO time>", async () => {
    for (let i = 0; i < 2; i++) {
      const before = (await api.call("GET", "/api/syncs?limit=1000")).body.length;
      await api.call("POST", "/api/sync");
      await waitFor("a new sync record", async () =>
        (await api.call("GET", "/api/syncs?limit=1000")).body.length > before ? true : undefined,
      );
    }
    const full = (await api.call("GET", "/api/syncs?limit=1000")).body;
    const { items } = await allPages("/api/syncs?limit=1");
    expect(items).toEqual(full);
    const ats = items.map((record) => record.at);
    expect(ats).toEqual([...ats].sort().reverse());
  });

  it.each([
    ["/api/dags/ok_dag/runs?limit=0", "limit"],
    ["/api/dags/ok_dag/runs?limit=1001", "limit"],
    ["/api/runs?limit=ten", "limit"],
    ["/api/runs?limit=", "limit"],
    ["/api/syncs?limit=2.5", "limit"],
    ["/api/runs?before=not_a_run", "before"],
    ["/api/dags/ok_dag/runs?before=2026-01-01", "before"],
    ["/api/dags/ok_dag/runs?before=2026-01-01T25:00:00Z", "before"],
    ["/api/syncs?before=yesterday", "before"],
  ])("GET %s answers 400 naming %s", async (path, parameter) => {
    const response = await api.call("GET", path);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("bad_request");
    expect(response.body.error.message).toContain(parameter);
  });
});
