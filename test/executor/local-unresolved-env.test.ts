// Issue 14 point 1 on the local executor: a Secret/ConfigMap/Pod reference cannot be resolved on
// this machine, so the variable is left unset and the run says which ones (never a guessed value).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LocalExecutor } from "../../src/executor/local-executor.ts";
import { withMaskedEvents } from "../../src/executor/masked-events.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";
import { podTaskIn } from "../support/pod-task.ts";
import { waitForReady } from "../support/ready-daemon.ts";
import { startTestDaemon } from "../support/test-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");

const PRINT_ENV =
  "for (const n of ['DB_USER','POD_NAME','MODE']) console.log(n + '=' + (process.env[n] ?? '<unset>'))";

describe("the local executor and env references", () => {
  it("notes each task's unresolved variables per DAG, also through the masking wrapper", () => {
    const task = podTaskIn("d", {
      env: {
        DB_USER: { secretKeyRef: { name: "db", key: "user" } },
        POD_NAME: { fieldRef: { fieldPath: "metadata.name" } },
        MODE: "full",
      },
      envFrom: [{ configMapRef: { name: "settings" } }],
      sidecars: [{ name: "proxy", image: "busybox:1.36" }],
    });
    const notes = [
      'local executor: task "task" runs without DB_USER (secretKeyRef db/user), POD_NAME (fieldRef), envFrom configMapRef settings: Secret, ConfigMap and Pod references are resolved only in a Kubernetes Pod',
      'local executor: task "task" runs without its init containers and sidecars (proxy)',
    ];
    const executor = new LocalExecutor();
    expect(executor.notesFor({ tasks: [task] })).toEqual(notes);
    expect(withMaskedEvents(executor, new SecretMask()).notesFor?.({ tasks: [task] } as never)).toEqual(
      notes,
    );
    expect(executor.notesFor({ tasks: [podTaskIn("d", { env: { MODE: "full" } })] })).toEqual([]);
  });

  it("runs the task with the variable unset and the run noting it", async () => {
    const dir = await cleanup.tempDir("local-env-refs");
    await writeFile(
      path.join(dir, "refs.ts"),
      `import { dag, pod } from "updraft";
export default dag({ id: "refs", schedule: null, tasks: [
  pod({ id: "show", image: "busybox:1.36", command: ["node", "-e", ${JSON.stringify(PRINT_ENV)}],
    env: { DB_USER: { secretKeyRef: { name: "db", key: "user" } }, POD_NAME: { fieldRef: { fieldPath: "metadata.name" } }, MODE: "{{ dag_run.conf.mode }}" } }),
] });
`,
    );
    const daemon = await startTestDaemon(cleanup, ["--dags", dir, "--executor", "local"]);
    await waitForReady(daemon);
    const trigger = await daemon.request("/api/dags/refs/runs", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ conf: { mode: "full" } }),
    });
    expect(trigger.status, trigger.text).toBe(201);
    const { runId } = trigger.body as { runId: string };
    const run = await waitFor("the run to finish", async () => {
      const body = (await daemon.request(`/api/runs/${runId}`)).body as { state: string; notes: string[] };
      return body.state === "success" || body.state === "failed" ? body : undefined;
    });
    expect(run.state).toBe("success");
    expect(run.notes).toContain(
      'local executor: task "show" runs without DB_USER (secretKeyRef db/user), POD_NAME (fieldRef): Secret, ConfigMap and Pod references are resolved only in a Kubernetes Pod',
    );
    const log = (await daemon.request(`/api/runs/${runId}/tasks/show/logs`)).text;
    expect(log).toContain(
      "[updraft] local executor: not set (resolved only in a Kubernetes Pod): DB_USER (secretKeyRef db/user), POD_NAME (fieldRef)",
    );
    expect(log).toContain("DB_USER=<unset>");
    expect(log).toContain("POD_NAME=<unset>");
    expect(log).toContain("MODE=full");
  }, 60_000);
});
