// A state file cut short (a disk-full, say) stops `updraft run` with a message naming the file and
// how to recover; the file is never replaced.
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { POLL, spawnCli, startDaemonProcess, task, runArgs } from "./support/daemon-process.ts";
import { daemonFolders } from "../support/dag-folders.ts";

const DAG = `import { dag, pod } from "updraft";
export default dag({
  id: "keep",
  schedule: null,
  tasks: [pod({ id: "hello", image: "node:20-alpine", command: ["node", "-e", "console.log('hello')"] })],
});
`;

describe("a corrupt state file", () => {
  const cleanup = useCleanup("file");
  let dagsDir: string;
  let stateDir: string;
  beforeAll(async () => {
    ({ dagsDir, stateDir } = await realState());
  });

  /** State written by a real daemon that ran one run of `keep`. */
  async function realState(): Promise<{ dagsDir: string; stateDir: string }> {
    const { dagsDir, stateDir } = await daemonFolders(cleanup, "daemon-corrupt", { "keep.ts": DAG });
    const daemon = await startDaemonProcess(cleanup, { dagsDir, stateDir });
    await daemon.waitForDags(["keep"]);
    const triggered = await daemon.post("/api/dags/keep/runs", { conf: {} });
    expect(triggered.status, triggered.text).toBe(201);
    const runId = triggered.body.runId as string;
    // Archived: the run left state.json for runs/keep.json.
    await daemon.waitForRun(
      runId,
      "archived",
      (run) => run.state === "success" && task(run, "hello").try === 1,
    );
    const history = path.join(stateDir, "runs", "keep.json");
    await waitFor(
      `run ${runId} in ${history}`,
      async () => ((await readFile(history, "utf8")).includes(runId) ? true : undefined),
      POLL,
    );
    await daemon.kill9();
    return { dagsDir, stateDir };
  }

  /** Starts the daemon on `stateDir` and expects it to refuse, naming `file`; `file` stays as it was. */
  async function expectRefusal(file: string): Promise<void> {
    const whole = await readFile(file);
    const half = whole.subarray(0, Math.floor(whole.length / 2));
    await writeFile(file, half);
    try {
      await expectRefusalOf(file, half);
    } finally {
      await writeFile(file, whole);
    }
  }

  async function expectRefusalOf(file: string, half: Buffer): Promise<void> {
    const cli = spawnCli(cleanup, runArgs(["--dags", dagsDir], stateDir));
    const exit = await waitFor("the daemon to exit", () => cli.exitStatus(), {
      ...POLL,
      details: () => cli.output(),
    });

    const output = cli.output();
    expect(exit.signal, `the daemon did not stop by itself:\n${output}`).toBeNull();
    expect(exit.code, output).not.toBe(0);
    expect(output).toContain(`state file ${file} is corrupt`);
    expect(output).toContain(`mv ${file} ${file}.corrupt`);
    expect(output).not.toContain("updraft listening");
    expect(await readFile(file), "the corrupt file is left as it was").toEqual(half);
  }

  it("stops start-up on a truncated state.json and leaves the file unchanged", async () => {
    await expectRefusal(path.join(stateDir, "state.json"));
  });

  it("stops start-up on a truncated history file and leaves the file unchanged", async () => {
    await expectRefusal(path.join(stateDir, "runs", "keep.json"));
  });
});
