// /healthz of a real daemon reports a state store that cannot write, and recovers with it.
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { waitFor } from "../support/wait-for.ts";
import { useApiDaemon } from "./support/api-daemon.ts";

const api = useApiDaemon();

it("answers 503 naming the state store (health and writes) while its writes fail, and 200 once they succeed again", async () => {
  expect((await api.call("GET", "/healthz")).status).toBe(200);
  // State files are written through a temp file beside them; a folder in its place fails every write
  // (even for root, unlike a permission change). Changes are appended to state.journal: a folder in
  // its place fails every append.
  const blocker = path.join(api.test.stateDir, ".state.json.tmp");
  const journal = path.join(api.test.stateDir, "state.journal");
  // (A write under way has the temp file there for a moment: try again until the folder is made.)
  await waitFor("the temp file's place to be free", () => mkdir(blocker).then(() => true));
  await waitFor("the journal's place to be taken", () =>
    rm(journal, { force: true })
      .then(() => mkdir(journal))
      .then(() => true),
  );
  const triggered = await api.call("POST", "/api/dags/ok_dag/runs", { body: {} });
  expect(triggered.status).toBe(503);
  expect(triggered.body).toMatchObject({
    error: { code: "store_unavailable", message: expect.stringContaining("the state store cannot write") },
  });
  const unhealthy = await waitFor("/healthz to report the store", async () => {
    const response = await api.call("GET", "/healthz");
    return response.status === 503 ? response.body : undefined;
  });
  expect(unhealthy).toMatchObject({
    status: "unhealthy",
    ok: false,
    reason: expect.stringContaining("the state store cannot write"),
    checks: { store: { ok: false } },
  });
  await rm(blocker, { recursive: true });
  await rm(journal, { recursive: true });
  // The scheduler's next tick writes state again.
  await waitFor(
    "/healthz to recover",
    async () => ((await api.call("GET", "/healthz")).status === 200 ? true : undefined),
    { timeoutMs: 30_000 },
  );
});
