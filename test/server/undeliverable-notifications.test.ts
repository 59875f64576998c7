import { beforeAll, describe, expect, it } from "vitest";
import type { OutboxView, UndeliverableMessage } from "../../src/notify/notification.ts";
import { createApp, type UpdraftApp } from "../../src/server/app.ts";
import { pageFixture, type PageFixture } from "./page-fixture.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const READ_TOKEN = "read-token-notify-0123456789";

/** An outbox as the page and API read it, its content set by each test. */
function memoryOutbox(): OutboxView & { pending: number; given: UndeliverableMessage[] } {
  return {
    pending: 0,
    given: [],
    pendingCount() {
      return this.pending;
    },
    undeliverable() {
      return this.given;
    },
  };
}

const HOSTILE: UndeliverableMessage = {
  id: `n-<script>alert("id")</script>`,
  channel: "slack hooks.slack.com",
  event: "failure",
  title: `updraft: task etl.load failed: <script>alert("title")</script>`,
  count: 1,
  attempts: 1,
  firstAttemptAt: "2026-12-05T06:04:11.000Z",
  gaveUpAt: "2026-12-05T06:04:11.000Z",
  lastError: "slack hooks.slack.com: HTTP 404: no_service <b>gone</b>",
};

const DIGEST: UndeliverableMessage = {
  id: "d-1",
  channel: "email ops@example.com",
  event: "digest",
  title: "updraft: 37 notifications",
  count: 37,
  attempts: 42,
  firstAttemptAt: "2026-12-04T06:00:00.000Z",
  gaveUpAt: "2026-12-05T06:00:00.000Z",
  lastError: "email via SMTP mail.example.com:587: connect ECONNREFUSED",
};

describe("undeliverable notifications on the page and in GET /api/notifications", () => {
  const cleanup = useCleanup("file");
  let fixture: PageFixture;
  let open: UpdraftApp;
  let closed: UpdraftApp;
  const outbox = memoryOutbox();

  beforeAll(async () => {
    fixture = await pageFixture(cleanup);
    open = createApp({ ...fixture.deps, notifications: outbox });
    closed = createApp({
      ...fixture.deps,
      auth: { ...fixture.deps.auth, readToken: READ_TOKEN },
      notifications: outbox,
    });
  });

  it("lists nothing and shows no section while every message is delivered", async () => {
    outbox.pending = 0;
    outbox.given = [];
    const response = await open.request("/api/notifications");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pending: 0, undeliverable: [] });
    expect(await (await open.request("/")).text()).not.toContain("Undeliverable notifications");
  });

  it("answers the pending count and the messages given up on", async () => {
    outbox.pending = 3;
    outbox.given = [HOSTILE, DIGEST];
    const response = await open.request("/api/notifications");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pending: 3, undeliverable: [HOSTILE, DIGEST] });
  });

  it("shows a table of them on the status page, every text escaped", async () => {
    outbox.pending = 3;
    outbox.given = [HOSTILE, DIGEST];
    const page = await (await open.request("/")).text();
    const start = page.indexOf('<h2 id="undeliverable"');
    expect(start).toBeGreaterThan(0);
    const section = page.slice(start, page.indexOf("</table>", start));
    expect(section).toContain("Undeliverable notifications (2)");
    expect(section).not.toContain("<script>");
    expect(section).not.toContain("<b>gone");
    expect(section).toContain(
      "updraft: task etl.load failed: &lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;",
    );
    expect(section).toContain("n-&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;");
    expect(section).toContain("HTTP 404: no_service &lt;b&gt;gone&lt;/b&gt;");
    expect(section).toContain("slack hooks.slack.com");
    expect(section).toContain("email ops@example.com");
    expect(section).toMatch(
      /<td>digest<\/td>\s*<td>updraft: 37 notifications<\/td>\s*<td class="num">37<\/td>\s*<td class="num">42<\/td>/,
    );
    expect(section).toContain("3 waiting to be delivered");
  });

  it("is closed to readers without the read token (401) and to non-loopback hosts (403), as other reads are", async () => {
    outbox.given = [HOSTILE];
    for (const token of [null, "wrong"]) {
      const response = await closed.request("/api/notifications", {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code).toBe("unauthorized");
    }
    const rebound = await closed.request("http://attacker.example/api/notifications", {
      headers: { host: "attacker.example", authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(rebound.status).toBe(403);
    expect(await rebound.text()).not.toContain("etl.load");
    const allowed = await closed.request("/api/notifications", {
      headers: { authorization: `Bearer ${READ_TOKEN}` },
    });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { undeliverable: unknown[] }).undeliverable).toHaveLength(1);
  });

  it("without an outbox answers nothing pending and nothing given up", async () => {
    const response = await fixture.app.request("/api/notifications");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ pending: 0, undeliverable: [] });
  });
});
