import { mkdir } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../daemon/support/daemon-process.ts";
import { dagModule, throwingModule } from "../support/dag-sources.ts";
import { createGitRemote } from "../support/git-remote.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { chromiumTestsRun, launchChromium } from "./support/chromium.ts";

const SCREENSHOTS = path.join(REPO_ROOT, "test-output", "screenshots");

// Where a commit status's Details link leads: the /syncs row of that commit, highlighted.
describe.skipIf(!chromiumTestsRun("the syncs page browser test"))("the /syncs page in Chromium", () => {
  const cleanup = useCleanup();

  it("opens at the row a commit status links to, with the DAG changes and GitHub links", async () => {
    const remote = await createGitRemote(await cleanup.tempDir("syncs-browser"), {
      "dags/orders.ts": dagModule("orders"),
      "dags/billing.ts": dagModule("billing"),
    });
    const daemon = await startTestDaemon(cleanup, [
      ...["--repo", remote.bare, "--branch", "main", "--dags-dir", "dags", "--github-repo", "acme/dags"],
    ]);
    const broken = await remote.change("billing: read settings", {
      "dags/billing.ts": throwingModule("billing", "settings are not ready").text,
      "dags/reports.ts": dagModule("reports"),
      "README.md": "# DAGs\n",
    });
    await daemon.requestSync();
    await daemon.waitForSync(broken);
    await remote.git("revert", "--no-edit", "HEAD");
    await remote.push();
    const reverted = await remote.head();
    await daemon.requestSync();
    await daemon.waitForSync(reverted);

    const browser = await launchChromium();
    cleanup.defer(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    await page.goto(`${daemon.url}/syncs#sync-${broken.slice(0, 12)}`);
    const row = page.locator("tr:target");
    expect(await row.getAttribute("id")).toBe(`sync-${broken.slice(0, 12)}`);
    const text = (await row.textContent()) ?? "";
    expect(text).toContain("failed");
    expect(text).toContain("settings are not ready");
    expect(text).toMatch(/added\s*reports/);
    expect(await row.locator(`a[href="https://github.com/acme/dags/commit/${broken}"]`).count()).toBe(1);
    expect(
      await row.locator(`a[href="https://github.com/acme/dags/blob/${broken}/dags/billing.ts"]`).count(),
    ).toBe(1);
    expect(await page.locator("table.syncs tbody tr").count()).toBe(3);
    await mkdir(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, "syncs-page.png"), fullPage: true });
  });
});
