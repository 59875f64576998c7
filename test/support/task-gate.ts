import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Cleanup } from "./cleanup.ts";
import type { TestDaemon } from "./test-daemon.ts";
import { waitFor } from "./wait-for.ts";

/**
 * A gate: a file path beside `dir` (outside the DAGs folder, so making it reloads nothing) that
 * gated tasks wait for; the test decides when they finish. Removed by `cleanup`.
 */
export function gateBeside(cleanup: Cleanup, dir: string): string {
  const gate = path.join(dir, "..", `${path.basename(dir)}.gate`);
  cleanup.defer(() => rm(gate, { force: true }));
  return gate;
}

/** A Node.js script (for `node -e`) that runs until `gate` exists. */
export function waitForGateScript(gate: string): string {
  return `const fs=require("fs");const t=setInterval(()=>{if(fs.existsSync(${JSON.stringify(gate)}))clearInterval(t)},50)`;
}

/**
 * Before `daemon` stops (cleanup runs in reverse, so defer this after starting it): opens the gate
 * and waits until no run is active, so no task is left writing into the state folder cleanup removes.
 */
export function finishRunsBeforeStop(cleanup: Cleanup, daemon: TestDaemon, gate: string): void {
  cleanup.defer(async () => {
    await writeFile(gate, "go");
    await waitFor("every run to finish before stopping", () =>
      daemon.daemon.store.activeRuns().length === 0 ? true : undefined,
    );
  });
}
