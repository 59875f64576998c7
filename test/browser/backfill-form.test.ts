// Issue #15 point 4 on the page: the DAG page's backfill form starts a backfill and its progress
// view follows it to success, in real Chromium against a real daemon.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dailyDag } from "../backfill/support/backfill-dags.ts";
import { Cleanup } from "../support/cleanup.ts";
import { startFolderDaemon } from "../support/ready-daemon.ts";
import type { TestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";
import { chromiumTestsRun, launchChromium } from "./support/chromium.ts";

describe.skipIf(!chromiumTestsRun("the backfill form browser test"))("the backfill form in Chromium", () => {
  const cleanup = new Cleanup();
  let browser: Browser;
  let daemon: TestDaemon;

  beforeAll(async () => {
    const dir = await cleanup.tempDir("browser-backfill");
    ({ daemon } = await startFolderDaemon(cleanup, "browser-backfill-", {
      "days.ts": dailyDag("days", path.join(dir, "events.txt"), path.join(dir, "fail.txt"), 20),
    }));
    await waitFor("the DAG loaded", () => (daemon.daemon.registry.get("days") ? true : undefined));
    browser = await launchChromium();
    cleanup.defer(() => browser.close());
  }, 60_000);
  afterAll(() => cleanup.run());

  it("starts a backfill from the DAG page and shows its progress reach success", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${daemon.url}/dags/days`);
    const form = page.locator("form", { has: page.getByRole("button", { name: "Start backfill" }) });
    await form.locator("input[name=from]").fill("2026-11-01");
    await form.locator("input[name=to]").fill("2026-11-05");
    await form.locator("select[name=rerun]").selectOption("failed");
    await form.locator("input[name=reverse]").check();
    await form.getByRole("button", { name: "Start backfill" }).click();
    await expect.poll(() => page.locator("#message").textContent()).toContain("Backfill started.");

    const [created] = (await daemon.request("/api/dags/days/backfills")).body as Array<
      Record<string, unknown>
    >;
    expect(created).toMatchObject({
      planned: 5,
      rerun: "failed",
      reverse: true,
      createdBy: expect.any(String),
    });
    const row = page.locator(`tr[data-backfill="${String(created?.id)}"]`);
    // The page refreshes itself every 15 s; reloading sooner keeps the test short.
    await waitFor("the progress view showing success", async () => {
      await page.reload();
      return (await row.locator("[data-state]").textContent()) === "success" ? true : undefined;
    });
    expect(await row.locator("[data-succeeded]").textContent()).toBe("5");
    expect(await row.getByRole("button", { name: "Cancel" }).count()).toBe(0);
    const runs = (await daemon.request("/api/dags/days/runs")).body as Array<{
      logicalDate: string;
      trigger: string;
    }>;
    expect(runs.map((run) => [run.logicalDate.slice(0, 10), run.trigger])).toEqual(
      ["05", "04", "03", "02", "01"].map((day) => [`2026-11-${day}`, "backfill"]),
    );
    expect(errors).toEqual([]);
  }, 60_000);
});
