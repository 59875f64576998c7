// A run history file replaced while the daemon runs (a folder, garbage): reads that need it answer
// 503 history_unreadable naming the file, never a 500; other DAGs' runs are still served.
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DagRegistry } from "../../src/dags/dag-registry.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { RunStore } from "../../src/store/run-store.ts";
import { finishedOneTaskRun } from "../store/support/one-task-run.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { storeApp } from "./support/store-app.ts";

const cleanup = useCleanup("file");

describe("a history file replaced while the daemon runs", () => {
  it("answers 503 naming the file for the page, the run lists and a run it held; other runs are served", async () => {
    const stateDir = await cleanup.tempDir("history-unreadable");
    // A cache of one byte: every read of a finished run goes to its file, as with a large history.
    const store = await RunStore.open(stateDir, { historyCacheBytes: 1 });
    // Three runs each: the newest is held in memory, the older ones are read from the file.
    const runs = ["bad", "good"].flatMap((dagId) =>
      [1, 2, 3].map((day) =>
        finishedOneTaskRun(dagId, `${dagId}__${day}`, new Date(Date.UTC(2026, 10, day))),
      ),
    );
    await store.archiveAll(runs);
    const registry = new DagRegistry(new SecretMask());
    const app = storeApp({ store, registry, stateDir, mask: new SecretMask() });
    const get = async (url: string) => {
      const response = await app.request(`http://127.0.0.1${url}`, { headers: { host: "127.0.0.1" } });
      const text = await response.text();
      return { status: response.status, text };
    };
    const file = path.join(stateDir, "runs", "bad.json");
    const replacements = [
      {
        what: "a folder",
        replace: async () => (await rm(file), await mkdir(file)),
        why: "not a regular file",
      },
      {
        what: "garbage",
        replace: async () => (
          await rm(file, { recursive: true }),
          await writeFile(file, '{"runs": [{"id": ')
        ),
        why: "not valid JSON",
      },
    ];
    for (const { what, replace, why } of replacements) {
      await replace();
      for (const url of ["/", "/api/runs", "/api/dags/bad/runs", "/api/runs/bad__1"]) {
        const answer = await get(url);
        expect(answer.status, `${what}, ${url}: ${answer.text}`).toBe(503);
        const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
        expect(body.error.code).toBe("history_unreadable");
        expect(body.error.message).toContain(`runs/bad.json cannot be read (it is ${why})`);
        expect(answer.text).not.toContain(stateDir);
      }
      const other = await get("/api/runs/good__2");
      expect(other.status, other.text).toBe(200);
    }
  });
});
