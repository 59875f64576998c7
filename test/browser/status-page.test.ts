import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { chromiumTestsRun, launchChromium } from "./support/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../daemon/support/daemon-process.ts";
import { Cleanup } from "../support/cleanup.ts";
import { createGitRemote } from "../support/git-remote.ts";
import { waitFor } from "../support/wait-for.ts";
import { type GitDaemon, startGitDaemon } from "./support/git-daemon.ts";

const SCREENSHOTS = path.join(REPO_ROOT, "test-output", "screenshots");
const API_TOKEN = "browser-test-api-token";
const CONF = { greeting: "hello from the browser", n: 7 };

/** The DAG the browser triggers: `extract` prints its conf and waits for `goFile`, then `load` publishes a result. */
function demoDag(goFile: string): string {
  return `import { dag, pod } from "updraft";

export default dag({
  id: "browser_demo",
  schedule: null,
  description: "Triggered from the status page by the browser test",
  tasks: [
    pod({
      id: "extract",
      image: "busybox:1.36",
      command: ["sh", "-c", 'echo "conf=$1"; while [ ! -f "$2" ]; do sleep 0.2; done; printf "%s-%s\\n" after go', "extract"],
      args: ["{{ dag_run.conf }}", ${JSON.stringify(goFile)}],
    }),
    pod({
      id: "load",
      image: "busybox:1.36",
      dependsOn: ["extract"],
      command: ["sh", "-c", "echo '::updraft-result::{\\"rows\\": 3}'"],
    }),
  ],
});

export const nightly = dag({
  id: "nightly_report",
  schedule: "30 2 * * *",
  tasks: [pod({ id: "report", image: "busybox:1.36", command: ["true"] })],
});
`;
}

describe.skipIf(!chromiumTestsRun("the status page browser test"))("the status page in Chromium", () => {
  const cleanup = new Cleanup();
  const shots: string[] = [];
  let browser: Browser;
  let daemon: GitDaemon;
  let page: Page;
  let goFile: string;
  const consoleErrors: string[] = [];

  const screenshot = async (name: string) => {
    const file = path.join(SCREENSHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    shots.push(file);
  };

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    const root = await cleanup.tempDir("browser");
    goFile = path.join(root, "go");
    await createGitRemote(root, { "dags/demo.ts": demoDag(goFile) });
    daemon = await startGitDaemon(cleanup, {
      repo: path.join(root, "remote.git"),
      stateDir: path.join(root, "state"),
      extraArgs: ["--dags-dir", "dags", "--api-token", API_TOKEN, "--interval", "5m", "--executor", "local"],
    });
    browser = await launchChromium();
    cleanup.defer(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => consoleErrors.push(error.message));
    page.on("response", (response) => {
      if (response.status() >= 400) consoleErrors.push(`${response.status()} ${response.url()}`);
    });
  });
  afterAll(async () => {
    if (shots.length > 0) console.log(`status page screenshots:\n${shots.map((s) => `  ${s}`).join("\n")}`);
    await cleanup.run();
  });

  it("shows the DAGs and the sync card, triggers a run with a conf through the token dialog, follows its log and shows its Gantt chart", async () => {
    // The status page, once the first sync has loaded the DAGs.
    await waitFor(
      "the DAGs on the status page",
      async () => {
        await page.goto(`${daemon.url}/`);
        return (await page.locator("table.dags a", { hasText: "browser_demo" }).count()) > 0
          ? true
          : undefined;
      },
      { everyMs: 500, timeoutMs: 60_000, details: () => daemon.output().slice(-2000) },
    );
    const sync = page.locator("section.sync");
    await expect.poll(() => sync.textContent()).toContain("remote.git");
    expect(await sync.textContent()).toContain("initial DAGs");
    expect(await page.locator("table.dags").textContent()).toContain("every day at 02:30");
    await screenshot("01-status");

    // The DAG page: graph, then the trigger form; the server answers 401 and the page asks for the token.
    await page.locator("table.dags a", { hasText: "browser_demo" }).click();
    await page.waitForURL(/\/dags\/browser_demo$/);
    expect(await page.locator("svg.graph text").allTextContents()).toEqual(["extract", "load"]);
    await page.locator("textarea#conf").fill(JSON.stringify(CONF));
    await page.getByRole("button", { name: "Trigger" }).click();
    const dialog = page.locator("dialog#token-dialog");
    await dialog.waitFor({ state: "visible" });
    await dialog.locator("input[name=token]").fill("not-the-token");
    await dialog.getByRole("button", { name: "Use token" }).click();
    // A wrong token is refused and asked for again.
    await expect.poll(() => dialog.locator("[data-token-reason]").textContent()).toContain("refused");
    await dialog.locator("input[name=token]").fill(API_TOKEN);
    await screenshot("02-token-dialog");
    await dialog.getByRole("button", { name: "Use token" }).click();

    // The run page: extract runs (it waits for the go file), so its log can be followed.
    await page.waitForURL(/\/runs\/browser_demo__manual__/, { timeout: 30_000 });
    const runUrl = page.url();
    expect(await page.evaluate("sessionStorage.getItem('updraft.apiToken')")).toBe(API_TOKEN);
    expect(await page.evaluate("localStorage.length")).toBe(0);
    expect(await page.context().cookies()).toEqual([]);
    const logLink = page.locator('a[href^="/runs/"][href$="/tasks/extract/logs?try=1"]');
    await logLink.waitFor({ timeout: 60_000 });
    await logLink.click();
    const log = page.locator("pre.log");
    await expect.poll(() => log.textContent(), { timeout: 60_000 }).toContain(CONF.greeting);
    expect(await log.getAttribute("data-follow")).not.toBeNull();
    expect(await log.textContent()).not.toContain("after-go");
    await page.evaluate("window.notReloaded = true");
    await screenshot("03-log-following");
    await writeFile(goFile, "");
    await expect.poll(() => log.textContent(), { timeout: 60_000 }).toContain("after-go");
    await expect
      .poll(() => page.locator("#follow-status").textContent(), { timeout: 60_000 })
      .toContain("ended: success");
    expect(await page.evaluate("window.notReloaded")).toBe(true);
    expect(await log.textContent()).toContain(`conf=${JSON.stringify(CONF)}`);
    expect(await page.locator("h1 .state").textContent()).toBe("success");
    await screenshot("04-log-ended");

    // Back on the run page, which refreshes itself until the run has succeeded.
    await page.goto(runUrl);
    await page.locator("h1 .st-success").waitFor({ timeout: 90_000 });
    const bars = page.locator("svg.gantt rect");
    expect(await bars.count()).toBe(2);
    expect(await page.locator("table.tasks").textContent()).toContain('"rows": 3');
    await screenshot("05-run-gantt");

    // The DAG page now charts the run's duration.
    await page.goto(`${daemon.url}/dags/browser_demo`);
    expect(await page.locator("svg.durations rect").count()).toBe(1);
    await screenshot("06-dag");

    // The page's own script and style ran under its Content-Security-Policy, and nothing else failed.
    expect(consoleErrors.filter((text) => !text.includes("401"))).toEqual([]);
  });

  it("filters the DAG table through its form: by name, then by state, and clears the filter", async () => {
    await page.goto(`${daemon.url}/`);
    const dagNames = () => page.locator("table.dags tbody tr td:first-child a").allTextContents();
    expect(await dagNames()).toEqual(["browser_demo", "nightly_report"]);
    const form = page.locator("form.dag-filter");
    await form.locator("input[name=q]").fill("NIGHTLY");
    await form.locator("button[type=submit]").click();
    await page.waitForURL(/\?q=NIGHTLY&/);
    expect(await dagNames()).toEqual(["nightly_report"]);
    // The form keeps what was asked; a state nothing is in leaves the table empty, saying why.
    expect(await form.locator("input[name=q]").inputValue()).toBe("NIGHTLY");
    await form.locator("select[name=state]").selectOption("paused");
    await form.locator("button[type=submit]").click();
    await page.waitForURL(/state=paused/);
    expect(await page.locator("p.muted", { hasText: "No DAG matches the filter." }).count()).toBe(1);
    await screenshot("07-status-filtered");
    await form.locator("a", { hasText: "Clear" }).click();
    await page.waitForURL(`${daemon.url}/`);
    expect(await dagNames()).toEqual(["browser_demo", "nightly_report"]);
    expect(consoleErrors.filter((text) => !text.includes("401"))).toEqual([]);
  });
});
