// Issue 17: at a clean stop the leader writes state.json whole, so that file alone is the state (an
// older updraft reads only it; a backup of it alone is complete); the journal is left empty.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { activeStateOnDisk } from "../support/active-state-on-disk.ts";
import { dagModule } from "../support/dag-sources.ts";
import { daemonFolders } from "../support/dag-folders.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

describe("a clean stop", () => {
  const cleanup = useCleanup();

  it("leaves state.json holding every change and the journal holding none", async () => {
    const { dagsDir } = await daemonFolders(cleanup, "settle-dags", { "manual.ts": dagModule("settle") });
    const daemon = await startTestDaemon(cleanup, ["--dags", dagsDir]);
    await waitFor("the DAG loaded", async () =>
      (await daemon.dags()).some((d) => d.id === "settle") ? true : undefined,
    );
    const accepted = await daemon.request("/api/dags/settle/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conf: {} }),
    });
    expect(accepted.status, accepted.text).toBe(201);
    const journal = path.join(daemon.stateDir, "state.journal");
    // Written through the journal while the daemon runs.
    expect((await readFile(journal, "utf8")).split("\n").length).toBeGreaterThan(2);
    await daemon.stop();
    expect((await readFile(journal, "utf8")).split("\n").filter(Boolean)).toHaveLength(1);
    const whole = JSON.parse(await readFile(path.join(daemon.stateDir, "state.json"), "utf8")) as Record<
      string,
      unknown
    >;
    const { journalGeneration: _generation, ...state } = whole;
    // The DAG's state (created by the trigger) and whatever became of the run are in it.
    expect(Object.keys((state as { dags: object }).dags)).toEqual(["settle"]);
    expect(await activeStateOnDisk(daemon.stateDir)).toEqual(state);
  });
});
