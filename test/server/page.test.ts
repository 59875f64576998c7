import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { TaskState } from "../../src/runs/run-model.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { APPLIED_SHA, ATTEMPTED_SHA, HOSTILE, type PageFixture, pageFixture } from "./page-fixture.ts";

const cleanup = useCleanup("file");
let fixture: PageFixture;
beforeAll(async () => {
  fixture = await pageFixture(cleanup);
});

async function get(path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fixture.app.request(path);
  return { status: response.status, text: await response.text(), headers: response.headers };
}

async function page(path: string): Promise<string> {
  const response = await get(path);
  expect(response.status, `${path}: ${response.text.slice(0, 300)}`).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/html");
  return response.text;
}

/** The markup escaping must produce for `text` (hono escapes & < > " '). */
function escaped(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Every hostile string that appears must appear escaped, and never raw. */
function expectEscaped(html: string, ...texts: string[]): void {
  for (const text of texts) {
    expect(html).not.toContain(text);
    expect(html).toContain(escaped(text));
  }
  // The page's own script is the only one.
  expect(html.match(/<script/g)).toHaveLength(1);
  expect(html).not.toMatch(/<img/);
}

const runPath = (id: string) => `/runs/${encodeURIComponent(id)}`;

describe("GET / (status page)", () => {
  let html: string;
  beforeAll(async () => {
    html = await page("/");
  });

  it("shows the sync card: repo, branch, applied and attempted commits, last sync result, next sync, the error in red", () => {
    expect(html).toContain("https://git.example.com/acme/dags.git");
    expect(html).toContain(">main<");
    expect(html).toContain(APPLIED_SHA.slice(0, 12));
    expect(html).toContain("Last attempted");
    expect(html).toContain(ATTEMPTED_SHA.slice(0, 12));
    expect(html).toContain("broken change");
    expect(html).toContain(escaped("Ada <ada@example.com>"));
    expect(html).toMatch(/Last sync<\/dt>\s*<dd>[^]*?st-failed">failed</);
    expect(html).toMatch(/Next sync<\/dt>\s*<dd>[^]*?in 30 s/);
    expect(html).toMatch(/<dd class="error-text">fetch failed: &lt;b&gt;remote hung up&lt;\/b&gt;<\/dd>/);
  });

  it("lists import errors with file:line and the DAG table with schedule in words and cron, paused, stale, last run, commit", () => {
    expect(html).toContain("stale_one.ts:4:7");
    expect(html).toMatch(/href="\/dags\/etl">etl<\/a>/);
    expect(html).toContain("every day at 02:30");
    expect(html).toContain("<code>30 2 * * *</code>");
    expect(html).toContain("every hour, on the hour");
    expect(html).toContain("every 15 minutes");
    expect(html).toContain("manual only");
    expect(html).toMatch(/tag paused">paused</);
    expect(html).toMatch(/tag stale">stale</);
    // etl's newest run is the queued one.
    expect(html).toMatch(/href="\/runs\/etl__scheduled__queued"><span class="state st-queued">queued</);
    expect(html).toContain(APPLIED_SHA.slice(0, 12));
  });

  it("shows recent runs with a grid cell per task: colour class plus letter plus words", () => {
    for (const state of ["queued", "running", "success", "failed"])
      expect(html).toContain(`etl__scheduled__${state}`);
    const letters: Record<TaskState, string> = {
      scheduled: "W",
      queued: "Q",
      running: "R",
      success: "S",
      failed: "F",
      up_for_retry: "T",
      upstream_failed: "U",
      skipped: "K",
    };
    for (const [state, letter] of Object.entries(letters)) {
      expect(html).toMatch(
        new RegExp(
          `<a class="cell st-${state}" href="/runs/everything__manual__all#task-t_${state}"[^>]*title="t_${state}: [^"]+"[^>]*>${letter}</a>`,
        ),
      );
    }
  });

  it("renders commit messages, sync errors and import errors as text", () => {
    expectEscaped(html, HOSTILE.commitMessage, HOSTILE.syncError, HOSTILE.importError);
  });

  it("refreshes itself: a meta refresh without JavaScript, the script's timer with it", () => {
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="10" /></noscript>');
    expect(html).toContain('<body data-refresh="10">');
  });

  it("has a sync now button calling POST /api/sync, disabled until the script enables it", () => {
    expect(html).toMatch(
      /<form[^>]*data-url="\/api\/sync"[^>]*data-method="POST"[^>]*>\s*<button type="submit" disabled\s*>\s*Sync now/,
    );
  });

  it("allows only its own inline style and script, by hash", () => {
    return get("/").then(({ headers, text }) => {
      const policy = headers.get("content-security-policy") ?? "";
      const hash = (content: string) => `'sha256-${createHash("sha256").update(content).digest("base64")}'`;
      const script = /<script>([^]*?)<\/script>/.exec(text)?.[1] ?? "";
      const style = /<style>([^]*?)<\/style>/.exec(text)?.[1] ?? "";
      expect(script.length).toBeGreaterThan(100);
      expect(policy).toContain(`script-src ${hash(script)}`);
      expect(policy).toContain(`style-src ${hash(style)}`);
      expect(policy).toContain("default-src 'none'");
    });
  });
});

describe("GET /runs/:runId", () => {
  it("renders a run in every run state, refreshing only while it is active", async () => {
    for (const [state, run] of Object.entries(fixture.runs)) {
      const html = await page(runPath(run.id));
      expect(html).toContain(`<span class="state st-${state}">${state}</span>`);
      for (const task of run.tasks) expect(html).toContain(`id="task-${task.id}"`);
      const active = state === "queued" || state === "running";
      expect(html.includes('data-refresh="5"'), state).toBe(active);
      expect(html).toContain(escaped(JSON.stringify({ region: "eu", note: "<i>conf</i>" }, null, 2)));
      expectEscaped(html, "<i>conf</i>");
    }
  });

  it("shows tries, exit codes, reasons (escaped), results, log links and clear buttons for finished tasks", async () => {
    const html = await page(runPath(fixture.runs.failed.id));
    expectEscaped(html, HOSTILE.reason);
    expect(html).toMatch(/<td>3<\/td>/);
    const base = `/runs/${fixture.runs.failed.id}/tasks/transform`;
    expect(html).toContain(`href="${base}/logs?try=1"`);
    expect(html).toContain(`href="/api${base}/logs?try=1"`);
    expect(html).toContain(`data-url="/api${base}/clear"`);
    const success = await page(runPath(fixture.runs.success.id));
    expect(success).toContain(escaped(JSON.stringify({ rows: 42, label: "<u>rows</u>" }, null, 2)));
    // A queued task cannot be cleared.
    const queued = await page(runPath(fixture.runs.queued.id));
    expect(queued).not.toContain("/clear");
  });

  it("offers retry-failed on a finished run with failed tasks only", async () => {
    const failed = await page(runPath(fixture.runs.failed.id));
    expect(failed).toContain(`data-url="/api/runs/${fixture.runs.failed.id}/retry-failed"`);
    for (const state of ["success", "running", "queued"] as const)
      expect(await page(runPath(fixture.runs[state].id)), state).not.toContain("/retry-failed");
  });

  it("offers stop and mark (with a confirm) on an unfinished run only, and shows a run's reason", async () => {
    for (const state of ["running", "queued"] as const) {
      const id = fixture.runs[state].id;
      const html = await page(runPath(id));
      expect(html, state).toMatch(
        new RegExp(`data-url="/api/runs/${id}/stop"[^>]*data-confirm="Stop run ${id}\\?`),
      );
      expect(html, state).toContain(`data-body="{&quot;state&quot;:&quot;success&quot;}"`);
      expect(html, state).toContain(`data-body="{&quot;state&quot;:&quot;failed&quot;}"`);
      expect(html, state).toContain(`data-url="/api/runs/${id}/tasks/extract/mark"`);
    }
    for (const state of ["success", "failed"] as const) {
      const html = await page(runPath(fixture.runs[state].id));
      expect(html, state).not.toContain("/stop");
      expect(html, state).not.toContain("/mark");
    }
    const run = fixture.store.getRun(fixture.runs.running.id);
    if (!run) throw new Error("no running run");
    run.reason = "stopped by <ops@example.com>";
    try {
      expect(await page(runPath(run.id))).toContain(
        '<dd class="error-text">stopped by &lt;ops@example.com&gt;</dd>',
      );
    } finally {
      delete run.reason;
    }
  });

  it("draws a Gantt chart with one bar per started try", async () => {
    const run = fixture.everyTaskState;
    const html = await page(runPath(run.id));
    const gantt = /<svg[^>]*class="chart gantt"[^]*?<\/svg>/.exec(html)?.[0] ?? "";
    const started = run.tasks.filter((task) => task.tries.some((t) => t.startedAt !== null));
    expect(started.length).toBe(4);
    expect(gantt.match(/<rect/g)).toHaveLength(started.length);
    for (const task of started) expect(gantt).toContain(`<title>${task.id} try 1:`);
  });

  it("answers an unknown run with a 404 page", async () => {
    const response = await get("/runs/no-such-run");
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toContain("text/html");
    expect(response.text).toContain("No run with id &quot;no-such-run&quot;");
  });
});

describe("GET /dags/:dagId", () => {
  it("draws the task graph: a node per task, an edge per dependency, by depth", async () => {
    const html = await page("/dags/etl");
    const graph = /<svg[^>]*class="chart graph"[^]*?<\/svg>/.exec(html)?.[0] ?? "";
    for (const id of ["extract", "transform", "report", "load"])
      expect(graph).toMatch(new RegExp(`>${id}( \\[.\\])?</text>`));
    expect(graph.match(/class="edge"/g)).toHaveLength(4);
    expect(graph).toContain("<title>transform → load</title>");
  });

  it("shows duration history of started runs linking to them, the trigger form and a pause button", async () => {
    const html = await page("/dags/etl");
    const chart = /<svg[^>]*class="chart durations"[^]*?<\/svg>/.exec(html)?.[0] ?? "";
    expect(chart.match(/<rect/g)).toHaveLength(3); // the queued run has not started
    expect(chart).toContain(`href="/runs/${fixture.runs.failed.id}"`);
    expect(html).toMatch(/data-url="\/api\/dags\/etl\/runs"[^>]*data-then="run"/);
    expect(html).toMatch(/<textarea id="conf" name="conf"[^>]*>\{\}<\/textarea>/);
    expect(html).toContain('data-url="/api/dags/etl/pause"');
    expect(await page("/dags/hourly")).toContain('data-url="/api/dags/hourly/unpause"');
  });

  it("answers an unknown DAG with a 404 page", async () => {
    const response = await get("/dags/nope");
    expect(response.status).toBe(404);
    expect(response.text).toContain("No DAG with id &quot;nope&quot; is loaded.");
  });
});

describe("GET /runs/:runId/tasks/:taskId/logs (log page)", () => {
  it("shows a finished try's log as text, not following", async () => {
    const html = await page(`${runPath(fixture.runs.failed.id)}/tasks/transform/logs?try=1`);
    expectEscaped(html, "<script>alert('log')</script>");
    expect(html).toContain("done ✓");
    expect(html).toMatch(/<pre\s+class="log"\s*>/);
  });

  it("follows a running try from the bytes already shown", async () => {
    const html = await page(`${runPath(fixture.everyTaskState.id)}/tasks/t_running/logs`);
    expect(html).toMatch(/<pre\s+class="log"\s+data-follow /);
    expect(html).toContain(`data-offset="${Buffer.byteLength(fixture.logText)}"`);
    expect(html).toContain(
      `data-log-url="/api/runs/${fixture.everyTaskState.id}/tasks/t_running/logs?try=1"`,
    );
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="5" /></noscript>');
    // The script follows; it must not also reload the page.
    expect(html).toContain("<body>");
  });

  it("answers 404 pages for an unknown task or try and 400 for a bad try", async () => {
    const base = `${runPath(fixture.runs.failed.id)}/tasks`;
    expect((await get(`${base}/nope/logs`)).status).toBe(404);
    expect((await get(`${base}/transform/logs?try=2`)).status).toBe(404);
    const bad = await get(`${base}/transform/logs?try=x`);
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("try must be a whole number");
  });
});

describe("GET /api/runs/:runId/tasks/:taskId/logs?offset=", () => {
  const logUrl = () => `/api/runs/${encodeURIComponent(fixture.runs.failed.id)}/tasks/transform/logs?try=1`;

  it("answers the whole log without an offset, and the bytes after it with one", async () => {
    expect((await get(logUrl())).text).toBe(fixture.logText);
    const bytes = Buffer.from(fixture.logText);
    for (const offset of [0, 9, bytes.length - 4]) {
      const response = await fixture.app.request(`${logUrl()}&offset=${offset}`);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes.subarray(offset));
    }
    expect((await get(`${logUrl()}&offset=${bytes.length + 100}`)).text).toBe("");
  });

  it("refuses an offset that is not a whole number ≥ 0 with a 400 JSON error", async () => {
    for (const offset of ["-1", "1.5", "abc"]) {
      const response = await get(`${logUrl()}&offset=${offset}`);
      expect(response.status).toBe(400);
      expect(JSON.parse(response.text)).toEqual({
        error: { code: "bad_request", message: expect.stringContaining(`"${offset}"`) },
      });
    }
  });
});

describe("GET / under repeated requests", () => {
  it("shows a change at once although renderings are reused for up to a second", async () => {
    const own = await pageFixture(cleanup);
    const etlRow = async () => {
      const html = await (await own.app.request("/")).text();
      return /<tr>\s*<td><a href="\/dags\/etl">[^]*?<\/tr>/.exec(html)?.[0] ?? "";
    };
    expect(await etlRow()).not.toContain("tag paused");
    expect((await own.app.request("/api/dags/etl/pause", { method: "POST" })).status).toBe(200);
    expect(await etlRow()).toContain("tag paused");
    await own.store.update((state) => {
      const run = state.runs[own.runs.queued.id];
      if (run) run.state = "running";
    });
    expect(await etlRow()).toContain('href="/runs/etl__scheduled__queued"><span class="state st-running">');
  });
});
