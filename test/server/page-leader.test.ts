import { describe, expect, it } from "vitest";
import type { LeaderView } from "../../src/leader/leader-view.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { pageFixture } from "./page-fixture.ts";

const cleanup = useCleanup("file");

async function statusPage(leader: LeaderView): Promise<string> {
  const fixture = await pageFixture(cleanup, { leadership: () => leader });
  const response = await fixture.app.request("/");
  expect(response.status).toBe(200);
  return response.text();
}

describe("the status page under leader election", () => {
  it("says a standby is read-only and names the replica that leads", async () => {
    const html = await statusPage({
      enabled: true,
      isLeader: false,
      identity: "updraft-b",
      holder: "updraft-a",
    });
    expect(html).toMatch(/standby:\s*<code>updraft-a<\/code> leads/);
    expect(html).toMatch(/this replica \(<code>updraft-b<\/code>\) is read-only/);
  });

  it("says when no replica leads", async () => {
    const html = await statusPage({ enabled: true, isLeader: false, identity: "updraft-b", holder: null });
    expect(html).toContain("no replica leads right now");
  });

  it("names the leader on the leading replica, and shows nothing without leader election", async () => {
    const leading = await statusPage({
      enabled: true,
      isLeader: true,
      identity: "updraft-a",
      holder: "updraft-a",
    });
    expect(leading).toMatch(/leader \(<code>updraft-a<\/code>\)/);
    expect(leading).not.toContain("standby");
    const solo = await statusPage({ enabled: false, isLeader: true, identity: null, holder: null });
    expect(solo).not.toContain("Scheduler</dt>");
  });
});
