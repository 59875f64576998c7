// The longest ids a DAG may have still fit the file names they end up in (issue #11: a 250-character
// DAG id gave run ids past the 255-byte file name limit, and its runs never finished).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { expect, it } from "vitest";
import { MAX_DAG_ID_LENGTH, MAX_TASK_ID_LENGTH } from "../../src/dags/spec/refinements.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitForReady } from "../support/ready-daemon.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");

const dagId = "d".repeat(MAX_DAG_ID_LENGTH);
const taskId = "t".repeat(MAX_TASK_ID_LENGTH);

it("runs a manual run of a DAG whose ids are as long as allowed, with a conf kept in a file of its own; one longer is a load error", async () => {
  const dir = await cleanup.tempDir("long-ids");
  await writeFile(
    path.join(dir, "longest.ts"),
    `import { dag, pod } from "updraft";
export default dag({ id: "${dagId}", schedule: null, tasks: [
  pod({ id: "${taskId}", image: "busybox:1.36", command: ["node", "-e", "console.log('long ids ok')"] }),
] });
`,
  );
  await writeFile(
    path.join(dir, "too-long.ts"),
    `import { dag, pod } from "updraft";
export default dag({ id: "${"x".repeat(MAX_DAG_ID_LENGTH + 1)}", schedule: null, tasks: [
  pod({ id: "only", image: "busybox:1.36", command: ["true"] }),
] });
`,
  );
  const daemon = await startTestDaemon(cleanup, ["--dags", dir]);
  await waitForReady(daemon);
  const errors = (await daemon.request("/api/import-errors")).body as Array<{
    file: string;
    message: string;
  }>;
  expect(errors).toEqual([
    expect.objectContaining({
      file: "too-long.ts",
      message: expect.stringContaining(`must be at most ${MAX_DAG_ID_LENGTH} characters`),
    }),
  ]);
  const conf = { blob: "c".repeat(4096) };
  const trigger = await daemon.request(`/api/dags/${dagId}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ conf }),
  });
  expect(trigger.status, trigger.text).toBe(201);
  const { runId } = trigger.body as { runId: string };
  const run = await waitFor("the long-id run to finish", async () => {
    const body = (await daemon.request(`/api/runs/${runId}`)).body as { state: string; conf: unknown };
    return body.state === "success" || body.state === "failed" ? body : undefined;
  });
  expect(run).toMatchObject({ state: "success", conf });
  const log = await daemon.request(`/api/runs/${runId}/tasks/${taskId}/logs`);
  expect(log.text).toContain("long ids ok");
}, 60_000);
