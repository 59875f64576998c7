// Issue 15 point 5: typed params through a real daemon (local executor): a trigger's conf is
// checked (400 naming each bad field, no run), defaults fill the run's conf and its templates,
// scheduled runs get the defaults, and the API shows the params as JSON Schema.
import { describe, expect, it } from "vitest";
import { runTrigger } from "../../src/cli/trigger-command.ts";
import { startFolderDaemon } from "../support/ready-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");

const PARAMS = `{
    region: { type: "string", enum: ["eu", "us"], default: "eu", description: "where <b>to</b> run" },
    day: { type: "date", required: true },
    limit: { type: "integer", minimum: 1, default: 100 },
    dryRun: { type: "boolean", default: false },
  }`;
const DAGS = {
  "typed.ts": `import { dag, pod } from "updraft";
export default dag({
  id: "typed",
  schedule: null,
  params: ${PARAMS},
  tasks: [pod({ id: "show", image: "node:20-alpine", command: ["node", "-e", "console.log(process.argv.slice(1).join(' '))"],
    args: ["limit={{ dag_run.conf.limit }}", "region={{ dag_run.conf.region }}", "day={{ dag_run.conf.day }}"] })],
});
`,
  "ticking.ts": `import { dag, pod } from "updraft";
export default dag({
  id: "ticking",
  schedule: "*/2 * * * * *",
  params: { limit: { type: "integer", default: 7 }, note: { type: "string" } },
  tasks: [pod({ id: "t", image: "node:20-alpine", command: ["node", "-e", "0"] })],
});
`,
  "needs_day.ts": `import { dag, pod } from "updraft";
export default dag({
  id: "needs_day",
  schedule: "@daily",
  params: { day: { type: "date", required: true } },
  tasks: [pod({ id: "t", image: "node:20-alpine", command: ["true"] })],
});
`,
};

type Daemon = Awaited<ReturnType<typeof startFolderDaemon>>["daemon"];

function post(daemon: Daemon, path: string, body: unknown) {
  return daemon.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function cliTrigger(daemon: Daemon, conf: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTrigger(
    { dagId: "typed", conf, server: daemon.url, token: undefined },
    (t) => out.push(t),
    (t) => err.push(t),
  );
  return { code, out: out.join(""), err: err.join("") };
}

describe("typed params in a running daemon", () => {
  it("refuses a bad conf naming each field (no run), fills defaults into the run's conf and its templates, and shows the params as JSON Schema", async () => {
    const { daemon } = await startFolderDaemon(cleanup, "typed-params-", DAGS);
    await waitFor("the DAGs loaded", () => (daemon.daemon.registry.get("typed") ? true : undefined));

    const refused = await post(daemon, "/api/dags/typed/runs", {
      conf: { region: "fr", limit: 0, dryRun: "yes", extra: 1 },
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error).toEqual({
      code: "invalid_conf",
      message:
        'conf does not fit the params of DAG "typed": conf.region: must be one of "eu", "us", got "fr"; conf.day: is required; conf.limit: must be an integer ≥ 1, got 0; conf.dryRun: must be true or false, got "yes"',
      problems: [
        'conf.region: must be one of "eu", "us", got "fr"',
        "conf.day: is required",
        "conf.limit: must be an integer ≥ 1, got 0",
        'conf.dryRun: must be true or false, got "yes"',
      ],
    });
    expect((await daemon.request("/api/dags/typed/runs")).body).toEqual([]);
    // The one trace of the refusal: the audit entry, with the conf sent and the status answered.
    const audit = (await daemon.request("/api/audit?action=trigger")).body as Array<Record<string, unknown>>;
    expect(audit).toEqual([
      expect.objectContaining({
        target: "dag/typed",
        status: 400,
        input: { conf: { region: "fr", limit: 0, dryRun: "yes", extra: 1 } },
      }),
    ]);

    const cli = await cliTrigger(daemon, '{"day":"2026-13-01"}');
    expect(cli).toEqual({
      code: 1,
      out: "",
      err: 'updraft: trigger failed (HTTP 400): conf does not fit the params of DAG "typed":\n  conf.day: must be a date (YYYY-MM-DD), got "2026-13-01"\n',
    });
    expect((await daemon.request("/api/dags/typed/runs")).body).toEqual([]);

    const created = await post(daemon, "/api/dags/typed/runs", { conf: { day: "2026-11-01", extra: [1] } });
    expect(created.status, created.text).toBe(201);
    const runId: string = created.body.runId;
    const run = await waitFor("the run finished", async () => {
      const body = (await daemon.request(`/api/runs/${runId}`)).body;
      return body.state === "success" || body.state === "failed" ? body : undefined;
    });
    expect(run.state).toBe("success");
    expect(run.conf).toEqual({ day: "2026-11-01", extra: [1], region: "eu", limit: 100, dryRun: false });
    const log = await daemon.request(`/api/runs/${runId}/tasks/show/logs`);
    expect(log.text).toContain("limit=100 region=eu day=2026-11-01");

    const detail = await daemon.request("/api/dags/typed");
    expect(detail.status).toBe(200);
    expect(Object.keys(detail.body)).toEqual(
      expect.arrayContaining(["id", "file", "tasks", "definition", "runs", "skipped"]),
    );
    expect(detail.body.params).toEqual({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "object",
      properties: {
        region: { type: "string", enum: ["eu", "us"], default: "eu", description: "where <b>to</b> run" },
        day: { type: "string", format: "date" },
        limit: { type: "integer", minimum: 1, default: 100 },
        dryRun: { type: "boolean", default: false },
      },
      required: ["day"],
      additionalProperties: true,
    });
  });

  it("gives scheduled runs the defaults, and refuses to load a scheduled DAG with a required param without default", async () => {
    const { daemon } = await startFolderDaemon(cleanup, "typed-params-scheduled-", DAGS);
    const scheduled = await waitFor("a scheduled run of ticking", async () => {
      const runs = (await daemon.request("/api/dags/ticking/runs")).body as Array<{ id: string }>;
      return runs[0];
    });
    const run = (await daemon.request(`/api/runs/${scheduled.id}`)).body;
    expect(run.trigger).toBe("scheduled");
    expect(run.conf).toEqual({ limit: 7 });

    const errors = (await daemon.request("/api/import-errors")).body as Array<{
      file: string;
      message: string;
    }>;
    const needsDay = errors.find((error) => error.file.endsWith("needs_day.ts"));
    expect(needsDay?.message).toContain(
      "params.day: is required and has no default, so scheduled runs could not fill it: give it a default, or set schedule: null",
    );
    expect(daemon.daemon.registry.get("needs_day")).toBeUndefined();
  });
});
