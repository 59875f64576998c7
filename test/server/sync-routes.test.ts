import { beforeEach, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { UnstartedApps } from "../support/unstarted-apps.ts";

const API_TOKEN = "api-token-for-tests";
const cleanup = useCleanup("file");
const apps = new UnstartedApps(cleanup);
beforeEach(() => apps.clearCalls());

/** A daemon following main wired from `args` (never started), its DAG source's syncNow a spy. */
const syncApp = (args: string[]) => apps.get(["--branch", "main", ...args]);

describe("POST /api/sync", () => {
  it("syncs now (202) with the right bearer token", async () => {
    const { request, syncNow } = await syncApp(["--api-token", API_TOKEN]);
    const response = await request("/api/sync", {
      method: "POST",
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(response.status).toBe(202);
    expect(syncNow).toHaveBeenCalledTimes(1);
  });

  it.each([
    ["no Authorization header", {}],
    ["a wrong token", { authorization: "Bearer not-the-token" }],
    [
      "basic auth with the token",
      { authorization: `Basic ${Buffer.from(`x:${API_TOKEN}`).toString("base64")}` },
    ],
  ])("answers 401 and does not sync for %s", async (_case, headers) => {
    const { request, syncNow } = await syncApp(["--api-token", API_TOKEN]);
    const response = await request("/api/sync", { method: "POST", headers });
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("unauthorized");
    expect(syncNow).not.toHaveBeenCalled();
  });

  it("needs no token on a loopback listener without --api-token", async () => {
    const { request, syncNow } = await syncApp(["--host", "127.0.0.1"]);
    expect((await request("/api/sync", { method: "POST" })).status).toBe(202);
    expect(syncNow).toHaveBeenCalledTimes(1);
  });

  it("is refused (403) beyond loopback without --api-token", async () => {
    const { request, syncNow } = await syncApp(["--host", "0.0.0.0"]);
    const response = await request("/api/sync", { method: "POST" });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toContain("--api-token");
    expect(syncNow).not.toHaveBeenCalled();
  });
});

describe("sync routes before the first sync", () => {
  it("is not ready and has no sync records or import errors", async () => {
    const { request } = await syncApp([]);
    expect((await request("/readyz")).status).toBe(503);
    expect((await request("/api/syncs")).body).toEqual([]);
    expect((await request("/api/import-errors")).body).toEqual([]);
  });

  it("refuses a ?limit outside 1-1000 on /api/syncs", async () => {
    const { request } = await syncApp([]);
    for (const limit of ["0", "1001", "ten"]) {
      const response = await request(`/api/syncs?limit=${limit}`);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(limit);
    }
  });
});
