// A stop that comes while start-up is still on its first steps wins: nothing is left holding the
// state dir (its lock), so the next daemon on that dir starts.
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { dagModule } from "../support/dag-sources.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";

const cleanup = useCleanup("test");

it("a stop called right after start leaves no state dir lock behind, and the next daemon starts", async () => {
  const dir = await cleanup.tempDir("stop-during-start");
  const dags = path.join(dir, "dags");
  const stateDir = path.join(dir, "state");
  await mkdir(dags);
  await writeFile(path.join(dags, "quiet.ts"), dagModule("quiet"));
  const first = await startTestDaemon(cleanup, ["--dags", dags, "--state-dir", stateDir], { start: false });
  const starting = first.daemon.start();
  await first.daemon.stop();
  await starting;
  expect(existsSync(path.join(stateDir, "updraft.lock"))).toBe(false);

  const second = await startTestDaemon(cleanup, ["--dags", dags, "--state-dir", stateDir]);
  expect((await second.request("/healthz")).status).toBe(200);
});
