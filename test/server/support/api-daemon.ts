import { beforeAll } from "vitest";
import type { Cleanup } from "../../support/cleanup.ts";
import { writeFiles } from "../../support/dag-folders.ts";
import { jsonOrUndefined } from "../../support/json-text.ts";
import { lateBound } from "../../support/late-bound.ts";
import { waitForReady } from "../../support/ready-daemon.ts";
import { finishRunsBeforeStop, gateBeside, waitForGateScript } from "../../support/task-gate.ts";
import { startTestDaemon, type TestDaemon } from "../../support/test-daemon.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";

export const API_TOKEN = "api-token-0123456789abcdef";
export const WEBHOOK_SECRET = "webhook-secret-0123456789abcdef";

/** A task that prints a result; one that fails; one that waits for `gate` to exist. */
const DAGS: Record<string, string> = {
  "ok.ts": `import { dag, pod } from "updraft";
export default dag({ id: "ok_dag", schedule: null, tasks: [
  pod({ id: "say", image: "busybox:1.36", command: ["node", "-e", "console.log('hello <b>'); console.log('::updraft-result::{\\"n\\":1}')"] }),
  pod({ id: "after", image: "busybox:1.36", dependsOn: ["say"], command: ["node", "-e", "console.log('after')"] }),
] });
`,
  "fail.ts": `import { dag, pod } from "updraft";
export default dag({ id: "fail_dag", schedule: null, tasks: [
  pod({ id: "boom", image: "busybox:1.36", command: ["node", "-e", "process.exit(3)"] }),
] });
`,
  "paused.ts": `import { dag, pod } from "updraft";
export default dag({ id: "paused_dag", schedule: "@daily", pausedOnCreation: true, tasks: [
  pod({ id: "main", image: "busybox:1.36", command: ["node", "-e", "0"] }),
] });
`,
  "broken.ts": `import { dag } from "updraft";
throw new Error("broken on purpose");
export default dag({ id: "broken", schedule: null, tasks: [] });
`,
};

/** A gate task: runs until the file `gate` exists (the test decides when it finishes). */
function gatedDag(gate: string): string {
  return `import { dag, pod } from "updraft";
export default dag({ id: "gated_dag", schedule: null, tasks: [
  pod({ id: "wait", image: "busybox:1.36", command: ["node", "-e", ${JSON.stringify(waitForGateScript(gate))}] }),
] });
`;
}

export interface ApiDaemon {
  /** The daemon (its log lines, state dir, fetch-based request helper). */
  readonly test: TestDaemon;
  /** The file whose creation lets gated_dag's task finish. */
  readonly gate: string;
  /** `app.request()` (no network) with an optional bearer token and JSON body. */
  call(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; text: string; headers: Headers; body: ApiBody }>;
  /** Triggers `dagId` with the token and waits for the run to finish and be archived; returns its id. */
  runToEnd(dagId: string, conf?: Record<string, unknown>): Promise<string>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON bodies, checked by each test.
export type ApiBody = any;

export interface ApiDaemonOptions {
  /** false: no --api-token (loopback rules apply to writes). */
  apiToken?: boolean;
  /** More `updraft run` flags. */
  args?: string[];
}

/**
 * The file's API daemon: started before its tests, stopped after them (one per file, as each file
 * had). Names the daemon at the top of the file; its members work once the tests run.
 */
export function useApiDaemon(options: ApiDaemonOptions = {}): ApiDaemon {
  const cleanup = useCleanup("file");
  let api: ApiDaemon | undefined;
  beforeAll(async () => {
    api = await startApiDaemon(cleanup, options);
  }, 60_000);
  return lateBound("the API daemon", () => api);
}

/** A started daemon in local-folder mode over the DAGs above, with an API token and webhook secret. */
export async function startApiDaemon(cleanup: Cleanup, options: ApiDaemonOptions = {}): Promise<ApiDaemon> {
  const dir = await cleanup.tempDir("api-dags");
  const gate = gateBeside(cleanup, dir);
  await writeFiles(dir, { ...DAGS, "gated.ts": gatedDag(gate) });
  const daemon = await startTestDaemon(cleanup, [
    "--dags",
    dir,
    ...(options.apiToken === false ? [] : ["--api-token", API_TOKEN]),
    "--webhook-secret",
    WEBHOOK_SECRET,
    ...(options.args ?? []),
  ]);
  finishRunsBeforeStop(cleanup, daemon, gate);
  await waitForReady(daemon);
  const call: ApiDaemon["call"] = async (method, requestPath, request = {}) => {
    const headers: Record<string, string> = { ...request.headers };
    const token = request.token === undefined ? API_TOKEN : request.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (request.body !== undefined) {
      body = typeof request.body === "string" ? request.body : JSON.stringify(request.body);
      headers["content-type"] ??= "application/json";
    }
    const response = await daemon.daemon.app.request(requestPath, { method, headers, body });
    const text = await response.text();
    daemon.responses.push(text, JSON.stringify([...response.headers]));
    const parsed: ApiBody = jsonOrUndefined(text);
    return { status: response.status, text, headers: response.headers, body: parsed };
  };
  return {
    test: daemon,
    gate,
    call,
    async runToEnd(dagId: string, conf?: Record<string, unknown>) {
      const triggered = await call("POST", `/api/dags/${dagId}/runs`, { body: conf ? { conf } : {} });
      if (triggered.status !== 201)
        throw new Error(`trigger ${dagId}: ${triggered.status} ${triggered.text}`);
      const runId: string = triggered.body.runId;
      await waitFor(
        `run ${runId} to finish`,
        async () => {
          const run = await call("GET", `/api/runs/${runId}`);
          return run.body?.state === "success" || run.body?.state === "failed" ? true : undefined;
        },
        { timeoutMs: 60_000 },
      );
      // A finished run moves from the active state to its DAG's history a moment later; until then
      // the store lists it in both, which tests that count runs would see.
      await waitFor(`run ${runId} to leave the active state`, () =>
        daemon.daemon.store.activeRuns().some((run) => run.id === runId) ? undefined : true,
      );
      return runId;
    },
  };
}
