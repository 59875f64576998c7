import { beforeAll, describe, expect, it } from "vitest";
import { syncHistorySection } from "../../src/server/page/sync-history-section.ts";
import type { SyncRecord } from "../../src/sync/sync-status.ts";
import { dagModule } from "../support/dag-sources.ts";
import { createGitRemote, type GitRemote } from "../support/git-remote.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const HOSTILE_FILE = `notes/<b>"x" & 'y'.md`;

function escaped(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** The markup of the sync history row of `sha` (from its opening tag to the next row). */
function rowOf(html: string, sha: string): string {
  const start = html.indexOf(`id="sync-${sha.slice(0, 12)}"`);
  expect(start, `a row for ${sha}`).toBeGreaterThan(0);
  return html.slice(start, html.indexOf("</tr>", start));
}

// A real daemon follows a real repository whose remote stands for acme/dags on GitHub; the status
// page shows what each sync changed.
describe("the status page's sync history", () => {
  const cleanup = useCleanup("file");
  let remote: GitRemote;
  let daemon: TestDaemon;
  const page = async () => {
    const response = await daemon.request("/");
    expect(response.status).toBe(200);
    return response.text;
  };

  beforeAll(async () => {
    remote = await createGitRemote(await cleanup.tempDir("page-syncs"), {
      "alpha.ts": dagModule("alpha"),
      "beta.ts": dagModule("beta"),
    });
    daemon = await startTestDaemon(cleanup, [
      "--repo",
      remote.bare,
      "--branch",
      "main",
      "--github-repo",
      "acme/dags",
    ]);
  });

  it("shows the DAGs added, updated and removed and the files changed, linked to the commit on GitHub", async () => {
    const sha = await remote.change("gamma in, alpha out", {
      "alpha.ts": null,
      "beta.ts": dagModule("beta", { echo: "v2" }),
      "gamma.ts": dagModule("gamma"),
      [HOSTILE_FILE]: "notes\n",
    });
    await daemon.requestSync();
    const record = await daemon.waitForSync(sha);
    expect(record.files).toEqual({
      paths: ["alpha.ts", "beta.ts", "gamma.ts", HOSTILE_FILE].sort(),
      more: 0,
    });
    const html = await page();
    expect(html).toContain("Recent syncs");
    const row = rowOf(html, sha);
    expect(row).toContain(`href="https://github.com/acme/dags/commit/${sha}"`);
    expect(row).toMatch(/added\s*<code>gamma<\/code>/);
    expect(row).toMatch(/updated\s*<code>beta<\/code>/);
    expect(row).toMatch(/removed\s*<code>alpha<\/code>/);
    for (const file of ["alpha.ts", "beta.ts", "gamma.ts"])
      expect(row).toContain(`href="https://github.com/acme/dags/blob/${sha}/${file}"`);
    const encodedHostile = HOSTILE_FILE.split("/").map(encodeURIComponent).join("/");
    expect(row).toContain(`href="${escaped(`https://github.com/acme/dags/blob/${sha}/${encodedHostile}`)}"`);
    expect(row).toContain(`<code>${escaped(HOSTILE_FILE)}</code>`);
    expect(html).not.toContain(HOSTILE_FILE);
    // The sync card's applied commit links there too.
    const card = html.slice(html.indexOf('aria-label="Sync"'), html.indexOf("</section>"));
    expect(card).toContain(`href="https://github.com/acme/dags/commit/${sha}"`);
  });

  it("lists at most 200 changed files, and says how many more", async () => {
    const many = Object.fromEntries(
      Array.from({ length: 205 }, (_, i) => [`data/f${String(i).padStart(3, "0")}.txt`, "x\n"]),
    );
    const sha = await remote.change("many files", many);
    await daemon.requestSync();
    const record = await daemon.waitForSync(sha);
    expect(record.files?.paths).toHaveLength(200);
    expect(record.files?.more).toBe(5);
    const row = rowOf(await page(), sha);
    expect(row.match(/<li>/g)).toHaveLength(200);
    expect(row).toContain("and 5 more");
  });

  it("still shows what the last syncs changed after the daemon restarts on its state dir", async () => {
    const sha = await remote.change("delta in", { "delta.ts": dagModule("delta") });
    await daemon.requestSync();
    await daemon.waitForSync(sha);
    await daemon.stop();
    daemon = await startTestDaemon(cleanup, [
      ...["--repo", remote.bare, "--branch", "main", "--github-repo", "acme/dags"],
      ...["--state-dir", daemon.stateDir],
    ]);
    const html = await page();
    // The restored record says what the push changed; the new daemon's first load of the same
    // commit is a row too, and only the newest of the two is the commit's anchor.
    expect(html.match(new RegExp(`id="sync-${sha.slice(0, 12)}"`, "g"))).toHaveLength(1);
    expect(html).toContain("<code>delta.ts</code>");
  });
});

describe("the /syncs page", () => {
  const cleanup = useCleanup("file");

  it("lists every kept sync, each row the anchor a commit status links to", async () => {
    const remote = await createGitRemote(await cleanup.tempDir("syncs-page"), {
      "alpha.ts": dagModule("alpha"),
    });
    const daemon = await startTestDaemon(cleanup, ["--repo", remote.bare, "--branch", "main"]);
    const shas = [await remote.head()];
    for (let i = 1; i <= 11; i++) {
      shas.push(await remote.change(`v${i}`, { "alpha.ts": dagModule("alpha", { echo: `v${i}` }) }));
      await daemon.requestSync();
      await daemon.waitForSync(shas[i] ?? "");
    }
    const status = (await daemon.request("/")).text;
    expect(status).toContain('<a href="/syncs">All 12 syncs</a>');
    // The status page shows the newest ten.
    expect(status).not.toContain(`id="sync-${shas[0]?.slice(0, 12)}"`);
    const page = await daemon.request("/syncs");
    expect(page.status).toBe(200);
    for (const sha of shas) expect(page.text).toContain(`id="sync-${sha.slice(0, 12)}"`);
    // No GitHub repository: plain shas, no links.
    expect(page.text).not.toContain("github.com");
  });
});

describe("syncHistorySection", () => {
  const sha = "c".repeat(40);
  const record: SyncRecord = {
    at: "2026-12-05T10:00:00.000Z",
    sha,
    previousSha: "b".repeat(40),
    ok: false,
    error: "1 import error <script>",
    durationMs: 5,
    changes: { added: [], updated: [], removed: [] },
    files: { paths: ["dags/x.ts"], more: 0 },
  };

  it("links to GitHub Enterprise's web host, and shows plain text without a GitHub repository", () => {
    const enterprise = syncHistorySection(
      [record],
      { url: "https://ghe.example", repo: { owner: "team", name: "dags" } },
      new Date(),
    ).toString();
    expect(enterprise).toContain(`href="https://ghe.example/team/dags/blob/${sha}/dags/x.ts"`);
    expect(enterprise).toContain("&lt;script&gt;");
    const plain = syncHistorySection([record], undefined, new Date()).toString();
    expect(plain).not.toContain("href=");
    expect(plain).toContain("<code>dags/x.ts</code>");
    expect(plain).toContain("no change");
  });

  it("names at most 50 DAGs per kind of change and counts the rest (a first load of 10,000)", () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `d_${String(i).padStart(5, "0")}`);
    const first = { ...record, ok: true, changes: { added: ids, updated: ["u"], removed: [] } };
    const text = syncHistorySection([first], undefined, new Date()).toString();
    expect(text).toContain("<code>d_00049</code>");
    expect(text).not.toContain("d_00050");
    expect(text).toContain("and 9,950 more");
    expect(text).toContain("<code>u</code>");
    expect(text.length).toBeLessThan(10_000);
  });
});
