// Issue #15 points 1-2 on the page: the run page's "Stop run" button (with a confirm) stops a run
// whose task runs for minutes; the page then shows the run failed, `stopped by …`, the task's
// reason, and the task's process is gone. Mark buttons are shown while the run is active.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { Cleanup } from "../support/cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { type DaemonProcess, startDaemonProcess } from "../daemon/support/daemon-process.ts";
import { chromiumTestsRun, launchChromium } from "./support/chromium.ts";

/** `sleeper` writes its pid and sleeps for 5 minutes; `after` would follow it. */
function longDag(pidFile: string): string {
  return `import { dag, pod } from "updraft";
export default dag({
  id: "long_job",
  schedule: null,
  tasks: [
    pod({ id: "sleeper", image: "busybox:1.36", command: ["sh", "-c", 'echo $$ > "$1"; exec sleep 300', "sleeper", ${JSON.stringify(pidFile)}] }),
    pod({ id: "after", image: "busybox:1.36", dependsOn: ["sleeper"], command: ["true"] }),
  ],
});
`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!chromiumTestsRun("the stop button browser test"))("the run page's Stop button", () => {
  const cleanup = new Cleanup();
  let browser: Browser;
  let daemon: DaemonProcess;
  let page: Page;
  let pidFile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const folders = await daemonFolders(cleanup, "stop-button", {});
    pidFile = path.join(folders.dir, "sleeper.pid");
    const { writeFile } = await import("node:fs/promises");
    await writeFile(path.join(folders.dagsDir, "long.ts"), longDag(pidFile));
    daemon = await startDaemonProcess(cleanup, { ...folders, extraArgs: ["--executor", "local"] });
    await daemon.waitForDags(["long_job"]);
    browser = await launchChromium();
    cleanup.defer(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });
  afterAll(() => cleanup.run());

  it("stops a running run after a confirm; the page shows failed, stopped by …, and the process is gone", async () => {
    const triggered = await daemon.post("/api/dags/long_job/runs");
    expect(triggered.status, triggered.text).toBe(201);
    const runId = triggered.body.runId as string;
    await daemon.waitForRun(runId, "sleeper running", (run) =>
      run.tasks.some((t) => t.id === "sleeper" && t.state === "running"),
    );
    const pid = await waitFor("the sleeper's pid", async () => {
      const text = await readFile(pidFile, "utf8").catch(() => "");
      return /^\d+/.test(text) ? Number.parseInt(text, 10) : undefined;
    });
    expect(alive(pid)).toBe(true);

    await page.goto(`${daemon.url}/runs/${encodeURIComponent(runId)}`);
    const stop = page.getByRole("button", { name: "Stop run" });
    await expect.poll(() => stop.isEnabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Mark success" }).count()).toBe(1);
    expect(await page.getByRole("button", { name: "Mark failed" }).count()).toBe(1);
    expect(await page.locator("#task-sleeper details.mark-menu").count()).toBe(1);

    // Dismissing the confirm sends nothing: the run keeps running.
    const stopCalls: string[] = [];
    page.on("request", (request) => {
      if (request.url().endsWith("/stop")) stopCalls.push(request.method());
    });
    page.once("dialog", (dialog) => void dialog.dismiss());
    await stop.click();
    // The script would have called fetch in the same task as the confirm: one round trip settles it.
    await page.evaluate("1");
    expect(stopCalls).toEqual([]);
    expect((await daemon.run(runId)).state).toBe("running");

    const dialogs: string[] = [];
    page.once("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await Promise.all([page.waitForEvent("load", { timeout: 30_000 }), stop.click()]);
    expect(dialogs[0]).toContain("Stop run");
    expect(stopCalls).toEqual(["POST"]);

    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator("h1 .state").textContent();
        },
        { timeout: 30_000 },
      )
      .toBe("failed");
    const card = (await page.locator("section.card").textContent()) ?? "";
    expect(card).toMatch(/stopped by \S+/);
    const sleeperRow = (await page.locator("#task-sleeper").textContent()) ?? "";
    expect(sleeperRow).toMatch(/stopped by \S+/);
    expect(await page.locator("#task-after").textContent()).toMatch(
      /upstream_failed|upstream failed|stopped by/,
    );
    // A finished run has no stop or mark controls.
    expect(await page.getByRole("button", { name: "Stop run" }).count()).toBe(0);
    expect(await page.locator("details.mark-menu").count()).toBe(0);

    await waitFor("the sleeper's process gone", async () => (alive(pid) ? undefined : true), {
      everyMs: 100,
      timeoutMs: 15_000,
    });
    const run = await daemon.run(runId);
    expect(run.state).toBe("failed");
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
