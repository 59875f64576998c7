// Issue 15 point 5 in real Chromium: the DAG page's trigger form has one input per param, a bad
// value shows the server's problems next to the form, and a good one creates a run with that conf.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFolderDaemon } from "../support/ready-daemon.ts";
import type { TestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { chromiumTestsRun, launchChromium } from "./support/chromium.ts";

const DAG = `import { dag, pod } from "updraft";
export default dag({
  id: "typed",
  schedule: null,
  params: {
    region: { type: "string", enum: ["eu", "us"], default: "eu", description: "where <b>to</b> run" },
    day: { type: "date", required: true },
    limit: { type: "integer", minimum: 1, default: 100 },
    dryRun: { type: "boolean", default: false },
    at: { type: "datetime", default: "2026-11-01T06:00:00Z" },
    tags: { type: "array" },
  },
  tasks: [pod({ id: "t", image: "node:20-alpine", command: ["node", "-e", "0"] })],
});
`;

/** Defaults the form's inputs cannot show exactly: a comma in a list item, spaces, seconds. */
const DEFAULTS_DAG = `import { dag, pod } from "updraft";
export default dag({
  id: "defaults",
  schedule: null,
  params: {
    pieces: { type: "array", default: ["a,b", "c"] },
    label: { type: "string", default: "  padded  " },
    since: { type: "datetime", default: "2026-11-01T06:00:30.250Z" },
  },
  tasks: [pod({ id: "t", image: "node:20-alpine", command: ["node", "-e", "0"] })],
});
`;

describe.skipIf(!chromiumTestsRun("the trigger form browser test"))("the trigger form in Chromium", () => {
  const cleanup = useCleanup("file");
  let browser: Browser;
  let daemon: TestDaemon;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ daemon } = await startFolderDaemon(cleanup, "trigger-form-", {
      "typed.ts": DAG,
      "defaults.ts": DEFAULTS_DAG,
    }));
    await waitFor("the DAGs loaded", () =>
      daemon.daemon.registry.get("typed") && daemon.daemon.registry.get("defaults") ? true : undefined,
    );
    browser = await launchChromium();
    cleanup.defer(() => browser.close());
    page = await browser.newPage({ timezoneId: "UTC" });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  });
  afterAll(() => expect(pageErrors).toEqual([]));

  const runsOf = async () => (await daemon.request("/api/dags/typed/runs")).body as Array<{ id: string }>;
  const confOf = async (runId: string) => (await daemon.request(`/api/runs/${runId}`)).body.conf as unknown;

  it("renders a select, a checkbox, date pickers and number bounds, with defaults and escaped help", async () => {
    await page.goto(`${daemon.url}/dags/typed`);
    const region = page.locator("select#param-region");
    expect((await region.locator("option").allTextContents()).map((text) => text.trim())).toEqual([
      "eu",
      "us",
    ]);
    expect(await region.inputValue()).toBe("eu");
    expect(await page.locator("input#param-dryRun").getAttribute("type")).toBe("checkbox");
    expect(await page.locator("input#param-dryRun").isChecked()).toBe(false);
    expect(await page.locator("input#param-day").getAttribute("type")).toBe("date");
    expect(await page.locator("input#param-at").getAttribute("type")).toBe("datetime-local");
    expect(await page.locator("input#param-at").inputValue()).toBe("2026-11-01T06:00");
    const limit = page.locator("input#param-limit");
    expect([
      await limit.getAttribute("type"),
      await limit.getAttribute("min"),
      await limit.inputValue(),
    ]).toEqual(["number", "1", "100"]);
    expect(await page.locator(".param-field .help").first().textContent()).toBe("where <b>to</b> run");
    expect(await page.locator("details.raw-conf").getAttribute("open")).toBeNull();
  });

  it("shows the problems of a refused conf next to the form and creates no run", async () => {
    await page.goto(`${daemon.url}/dags/typed`);
    await page.locator("input#param-limit").fill("0");
    await page.getByRole("button", { name: "Trigger" }).click();
    const problems = page.locator("[data-conf-problems] li");
    await problems.first().waitFor();
    expect(await problems.allTextContents()).toEqual([
      "conf.day: is required",
      "conf.limit: must be an integer ≥ 1, got 0",
    ]);
    expect(await page.locator("input#param-limit").getAttribute("aria-invalid")).toBe("true");
    expect(await runsOf()).toEqual([]);
  });

  it("submits the chosen values; the run's conf has them", async () => {
    await page.goto(`${daemon.url}/dags/typed`);
    await page.locator("select#param-region").selectOption("us");
    await page.locator("input#param-day").fill("2026-11-02");
    await page.locator("input#param-limit").fill("5");
    await page.locator("input#param-dryRun").check();
    await page.locator("input#param-tags").fill("a, b ,");
    await page.getByRole("button", { name: "Trigger" }).click();
    await page.waitForURL(/\/runs\//);
    const [run] = await runsOf();
    expect(page.url()).toContain(`/runs/${run!.id}`);
    expect(await confOf(run!.id)).toEqual({
      region: "us",
      day: "2026-11-02",
      limit: 5,
      dryRun: true,
      // Left untouched: the default itself, as declared.
      at: "2026-11-01T06:00:00Z",
      tags: ["a", "b"],
    });
  });

  it("a field left as it was sends nothing, so the run gets the default itself (not the form's reading of it)", async () => {
    await page.goto(`${daemon.url}/dags/defaults`);
    await page.getByRole("button", { name: "Trigger" }).click();
    await page.waitForURL(/\/runs\//);
    const runId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    expect(await confOf(runId)).toEqual({
      pieces: ["a,b", "c"],
      label: "  padded  ",
      since: "2026-11-01T06:00:30.250Z",
    });
  });

  it("sends the raw JSON conf instead of the fields when it is filled in", async () => {
    await page.goto(`${daemon.url}/dags/typed`);
    await page.locator("input#param-limit").fill("7");
    await page.locator("details.raw-conf summary").click();
    await page.locator("textarea#conf").fill('{"day": "2026-01-01", "extra": 1}');
    await page.getByRole("button", { name: "Trigger" }).click();
    await page.waitForURL(/\/runs\//);
    const runId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop()!);
    expect(await confOf(runId)).toEqual({
      day: "2026-01-01",
      extra: 1,
      region: "eu",
      limit: 100,
      dryRun: false,
      at: "2026-11-01T06:00:00Z",
    });
  });
});
