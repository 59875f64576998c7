// Attacks on login control (issue #13) and an unlucky operator's mistakes, against real daemons:
// each test here was seen failing before the fix it names.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fetchWithJar } from "../support/cookie-jar.ts";
import { signInThroughProvider } from "../support/oidc-sign-in.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { startLoginDaemon } from "./support/login-daemon.ts";
import { teamFolders, TOKENS } from "./support/team-dags.ts";

const cleanup = useCleanup("file");
const API_TOKEN = "attack-api-token-0123456789abcdef";

describe("an audit log that cannot be written", () => {
  it("a refused write still answers its 401/403 (not a 500), and an answered one says the entry is missing", async () => {
    const folders = await teamFolders(cleanup);
    // The audit folder's place is taken by a file: every append fails (as on a broken disk).
    await mkdir(folders.stateDir, { recursive: true });
    await writeFile(path.join(folders.stateDir, "audit"), "not a folder");
    const daemon = await startTestDaemon(cleanup, [
      ...["--dags", folders.dagsDir, "--state-dir", folders.stateDir, "--tokens-file", folders.tokensFile],
    ]);
    const post = (token: string | undefined) =>
      daemon.request("/api/sync", {
        method: "POST",
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      });
    const anonymous = await post(undefined);
    expect(anonymous.status, anonymous.text).toBe(401);
    const viewer = await post(TOKENS.viewer);
    expect(viewer.status, viewer.text).toBe(403);
    expect(viewer.body.error.message).toContain("sync needs the operator role");
    const operator = await post(TOKENS.operator);
    expect(operator.status, operator.text).toBe(503);
    expect(operator.body.error.code).toBe("audit_unavailable");
    // It did happen: the answer must not invite a blind retry (a second run).
    expect(operator.body.error.message).toContain("took effect");
    expect(operator.body.error.message).toContain("do not repeat it");
    // And /healthz knows: the daemon cannot record what is done through it.
    const health = await daemon.request("/healthz");
    expect(health.status).toBe(503);
    expect(health.body.checks.audit).toMatchObject({ ok: false });
    expect(health.body.reason).toContain("the audit log cannot be written");
  });
});

describe("a browser that kept the token form's cookie from before sign-in was turned on", () => {
  it("is the signed-in person once they sign in: their role, their writes, their Sign out", async () => {
    const login = await startLoginDaemon(cleanup, ["--api-token", API_TOKEN]);
    const { jar } = await signInThroughProvider(login.url, "olga");
    // The form's cookie (proof of the API token, read-only) was set before; sign-in adds the session.
    const form = await fetch(`${login.url}/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: API_TOKEN, next: "/" }).toString(),
      redirect: "manual",
    });
    expect(form.status).toBe(303);
    jar.store(login.url, form);
    expect(jar.header(login.url)).toMatch(/updraft_read=.*updraft_session=|updraft_session=.*updraft_read=/);
    const me = await fetchWithJar(jar, `${login.url}/api/me`);
    expect(await me.json()).toMatchObject({ actor: "olga@example.com", via: "session" });
    const trigger = await fetchWithJar(jar, `${login.url}/api/dags/a_dag/runs`, {
      method: "POST",
      headers: { origin: login.url, "content-type": "application/json" },
      body: "{}",
    });
    expect(trigger.status, await trigger.text()).toBe(201);
    const page = await (await fetchWithJar(jar, `${login.url}/`)).text();
    expect(page).toContain("olga@example.com · operator");
    expect(page).toContain('href="/auth/logout"');
  });
});

describe("the token form behind an https --public-url", () => {
  it("sets its cookie Secure, so a plain-http request never carries the proof of the API token", async () => {
    const folders = await teamFolders(cleanup);
    const daemon = await startTestDaemon(
      cleanup,
      [
        "--dags",
        folders.dagsDir,
        "--read-token",
        "attack-read-token-0123456789",
        "--public-url",
        "https://updraft.example.com",
      ],
      { env: { UPDRAFT_API_TOKEN: API_TOKEN } },
    );
    const form = await fetch(`${daemon.url}/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: API_TOKEN, next: "/" }).toString(),
      redirect: "manual",
    });
    expect(form.status).toBe(303);
    const cookie = form.headers.getSetCookie().find((header) => header.startsWith("updraft_read="));
    expect(cookie).toMatch(/;\s*Secure/i);
  });
});

describe("a flood of anonymous refused writes", () => {
  it("cannot rotate an admin's entry out of the audit log (found by the attack pass: 60 posts did)", async () => {
    const folders = await teamFolders(cleanup);
    const daemon = await startTestDaemon(cleanup, [
      ...["--dags", folders.dagsDir, "--state-dir", folders.stateDir, "--tokens-file", folders.tokensFile],
      ...["--audit-max-bytes", "4096", "--audit-keep-files", "1"],
    ]);
    const admin = { authorization: `Bearer ${TOKENS.admin}` };
    const kept = await daemon.request("/api/dags/a_dag/pause", { method: "POST", headers: admin });
    expect(kept.status).toBe(200);
    for (let i = 0; i < 200; i += 1)
      expect((await daemon.request("/api/sync", { method: "POST" })).status).toBe(401);
    const audit = await daemon.request("/api/audit?limit=1000", { headers: admin });
    const actions = (audit.body as Array<{ actor: string; action: string; target: string }>).map(
      (entry) => `${entry.actor} ${entry.action} ${entry.target}`,
    );
    expect(actions).toContain("ops-bot pause dag/a_dag");
    expect(actions.filter((line) => line.startsWith("anonymous")).length).toBeLessThanOrEqual(10);
  });
});
