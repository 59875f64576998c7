// Issue 13 point 7: GET /api/audit and the page /audit read the audit log with filters and
// paging; bad parameters are a 400 naming the parameter; the page escapes what users typed.
import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/audit-entry.ts";
import { AuditLog } from "../../src/audit/audit-log.ts";
import { manualRunId } from "../../src/scheduler/run-planner.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { auditEntry } from "./support/audit-entries.ts";
import { auditApp } from "./support/audit-app.ts";

const cleanup = useCleanup();
const run = manualRunId("etl", new Date("2026-05-01T10:00:00Z"), "abcdef");

async function appWith(entries: readonly AuditEntry[]) {
  const stateDir = await cleanup.tempDir("audit-routes");
  const log = new AuditLog({ stateDir, mask: new SecretMask() });
  cleanup.defer(() => log.close());
  for (const entry of entries) await log.append(entry);
  const app = auditApp(log);
  return async (url: string) => {
    const response = await app.request(url);
    const text = await response.text();
    const json = response.headers.get("content-type")?.includes("json")
      ? (JSON.parse(text) as unknown)
      : undefined;
    return { status: response.status, headers: response.headers, text, json };
  };
}

const ids = (body: unknown) => (body as AuditEntry[]).map((entry) => entry.requestId);

const sample = [
  auditEntry({ requestId: "a1", actor: "alice@example.com", action: "trigger", target: "dag/etl" }),
  auditEntry({
    requestId: "b1",
    actor: "bob@example.com",
    action: "pause",
    target: "dag/etl_v2",
    status: 403,
  }),
  auditEntry({ requestId: "a2", actor: "alice@example.com", action: "stop", target: `run/${run}` }),
  auditEntry({ requestId: "c1", actor: "ci", role: "admin", via: "token", action: "sync", target: "sync" }),
];

describe("GET /api/audit", () => {
  it("lists entries newest first and applies each filter", async () => {
    const get = await appWith(sample);
    const all = await get("/api/audit");
    expect(all.status).toBe(200);
    expect(all.json).toEqual([...sample].reverse());
    expect(all.headers.get("link")).toBeNull();
    expect(ids((await get("/api/audit?actor=alice%40example.com")).json)).toEqual(["a2", "a1"]);
    expect(ids((await get("/api/audit?action=pause")).json)).toEqual(["b1"]);
    expect(ids((await get("/api/audit?dag=etl")).json)).toEqual(["a2", "a1"]);
    expect(ids((await get("/api/audit?dag=etl_v2")).json)).toEqual(["b1"]);
    expect(ids((await get(`/api/audit?before=${sample[2]?.at}`)).json)).toEqual(["b1", "a1"]);
    expect(ids((await get("/api/audit?dag=etl&actor=alice%40example.com&action=trigger")).json)).toEqual([
      "a1",
    ]);
  });

  it("pages with limit and a Link to the older entries, skipping none that share a millisecond", async () => {
    const at = (second: number) => new Date(Date.UTC(2026, 4, 2, 0, 0, second)).toISOString();
    // Five entries, three of them in one millisecond: a page of two would cut through it.
    const entries = [
      auditEntry({ requestId: "p1", at: at(1) }),
      auditEntry({ requestId: "p2", at: at(2) }),
      auditEntry({ requestId: "p3", at: at(2) }),
      auditEntry({ requestId: "p4", at: at(2) }),
      auditEntry({ requestId: "p5", at: at(3) }),
    ];
    const get = await appWith(entries);
    const seen: string[] = [];
    let url: string | undefined = "/api/audit?limit=2&dag=etl";
    for (let pages = 0; url && pages < 10; pages++) {
      const page = await get(url);
      expect(page.status).toBe(200);
      seen.push(...ids(page.json));
      url = /^<([^>]+)>; rel="next"$/.exec(page.headers.get("link") ?? "")?.[1];
      if (url) expect(url).toMatch(/^\/api\/audit\?limit=2&dag=etl&before=/);
    }
    expect(seen).toEqual(["p5", "p4", "p3", "p2", "p1"]);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=1001", "limit"],
    ["limit=ten", "limit"],
    ["before=yesterday", "before"],
    ["dag=..", "dag"],
    ["dag=team%2Fetl", "dag"],
    ["dag=", "dag"],
    ["action=DROP%20TABLE", "action"],
    ["actor=", "actor"],
    ["actor=a%00b", "actor"],
    [`actor=${"a".repeat(400)}`, "actor"],
  ])("answers 400 naming the parameter for ?%s", async (query, name) => {
    const get = await appWith(sample);
    const response = await get(`/api/audit?${query}`);
    expect(response.status).toBe(400);
    const body = response.json as { error: { code: string; message: string } };
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message.startsWith(`${name} `)).toBe(true);
  });
});

describe("the page /audit", () => {
  it("shows a table of entries with the filter form, escaping what users typed", async () => {
    const get = await appWith([
      ...sample,
      auditEntry({
        requestId: "x1",
        actor: "<script>alert(1)</script>",
        action: "trigger",
        target: "dag/etl",
        input: { conf: { note: '"><img src=x onerror=alert(2)>' } },
      }),
    ]);
    const page = await get("/audit");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'sha256-");
    expect(page.text).not.toContain("<script>alert");
    expect(page.text).not.toContain("<img");
    expect(page.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page.text).toContain('href="/dags/etl_v2"');
    expect(page.text).toContain(`href="/runs/${run}"`);
    expect(page.text).toMatch(/<td class="error-text">403<\/td>/);
    for (const heading of [
      "Time",
      "Actor",
      "Role",
      "Via",
      "Action",
      "Target",
      "Status",
      "Request id",
      "Input",
    ])
      expect(page.text).toContain(`<th>${heading}</th>`);
    expect(page.text).toContain('<form class="actions" method="get" action="/audit">');
  });

  it("takes the form's empty fields as no filter, keeps the filters in the form and pages to older entries", async () => {
    const get = await appWith(sample);
    expect((await get("/audit?actor=&action=&dag=")).status).toBe(200);
    const page = await get("/audit?actor=alice%40example.com&limit=1");
    expect(page.text).toContain('name="actor" value="alice@example.com"');
    expect(page.text).toContain("a2");
    expect(page.text).not.toContain(">a1<");
    const older = /<a href="([^"]+)" rel="next">Older entries<\/a>/.exec(page.text)?.[1];
    expect(older).toMatch(/^\/audit\?actor=alice%40example.com&amp;limit=1&amp;before=/);
    const next = await get(older!.replace(/&amp;/g, "&"));
    expect(next.text).toContain(">a1<");
    expect(next.text).not.toContain('rel="next"');
  });

  it("answers a bad filter with a 400 page naming it", async () => {
    const get = await appWith(sample);
    const page = await get("/audit?dag=%3Cb%3E");
    expect(page.status).toBe(400);
    expect(page.headers.get("content-type")).toContain("text/html");
    expect(page.text).toContain("dag may only contain");
    expect(page.text).not.toContain("<b>");
  });
});
