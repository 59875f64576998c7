// A large conf lives in confs/<run id>.json. An operator (or a bad disk) can leave that file
// missing, cut short or not an object: the daemon must still start, with the run kept and a note
// naming the file, never exit on a bare JSON parse error.
import { readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");

const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "confd", schedule: null, tasks: [
  pod({ id: "say", image: "busybox:1.36", command: ["node", "-e", "console.log('hi')"] }),
] });
`;

describe("a conf file in confs/ that is damaged", () => {
  it.each([
    ["cut short", '{"pad":"ppp'],
    ["not an object", "[1,2,3]"],
    ["null", "null"],
  ])(
    "leaves the daemon starting, the run kept with an empty conf and a note naming the file (%s)",
    async (_case, text) => {
      const dags = await cleanup.tempDir("conf-files-dags");
      await writeFile(path.join(dags, "confd.ts"), DAG);
      const stateDir = await cleanup.tempDir("conf-files-state");
      const args = ["--dags", dags, "--state-dir", stateDir];
      const first = await startTestDaemon(cleanup, args);
      const triggered = await first.request("/api/dags/confd/runs", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ conf: { pad: "p".repeat(2000) } }),
      });
      expect(triggered.status, triggered.text).toBe(201);
      const runId: string = triggered.body.runId;
      await waitFor(`run ${runId} to finish`, async () =>
        (await first.request(`/api/runs/${runId}`)).body.state === "success" ? true : undefined,
      );
      await first.stop();
      const [file] = await readdir(path.join(stateDir, "confs"));
      expect(file).toBe(`${encodeURIComponent(runId)}.json`);
      await writeFile(path.join(stateDir, "confs", file ?? ""), text);

      const second = await startTestDaemon(cleanup, args);
      const run = await second.request(`/api/runs/${runId}`);
      expect(run.status, run.text).toBe(200);
      expect(run.body.conf).toEqual({});
      expect(run.body.notes.join("\n")).toContain(file);
    },
  );
});
