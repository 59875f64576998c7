/** The seed DAG, ported from Airflow's KubernetesPodOperator example, loads with the expected spec. */
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { loadDagSet } from "../../src/dags/dag-set-loader.ts";
import { LoaderPool } from "../../src/dags/loader/loader-pool.ts";

const DAGS = fileURLToPath(new URL("../../dags", import.meta.url));
const SEED = `${DAGS}/kubernetes_pod_operator/sample_dag.ts`;

/** node_jobs as the seed defines it; `image` and `imagePullSecrets` depend on ENV. */
function expectedNodeJobs(image: string, imagePullSecrets: Array<{ name: string }>) {
  return {
    id: "node_jobs",
    description: null,
    schedule: null,
    timezone: "UTC",
    startDate: "2026-11-01T00:00:00.000Z",
    endDate: null,
    catchup: false,
    pausedOnCreation: false,
    maxActiveRuns: 16,
    concurrencyPolicy: "allow",
    owner: "sample",
    tags: [],
    retries: 2,
    retryDelayMs: 300_000,
    onFailure: null,
    params: [],
    runTimeoutMs: null,
    expectedWithinMs: null,
    finishWithinMs: null,
    tasks: [
      {
        id: "test_task",
        image,
        imagePullSecrets,
        namespace: "jobs",
        command: ["node", "services/service/nodejobs.js"],
        args: ["{{ dag_run.conf }}"],
        env: { DB_USER: { secretKeyRef: { name: "db", key: "user" } } },
        annotations: { "sidecar.istio.io/inject": "false" },
        labels: {},
        nodeSelector: {},
        tolerations: [],
        affinity: null,
        serviceAccountName: null,
        volumes: [{ name: "sample-data", emptyDir: {} }],
        volumeMounts: [{ name: "sample-data", mountPath: "/sample-data" }],
        resources: {
          requests: { cpu: "200m", memory: "256Mi" },
          limits: { cpu: "1000m", memory: "1Gi" },
        },
        dependsOn: [],
        triggerRule: "all_success",
        retries: 2,
        retryDelayMs: 300_000,
        retryBackoff: null,
        timeoutMs: null,
        startupTimeoutMs: 120_000,
        onFinish: "delete",
        pool: null,
      },
    ],
  };
}

describe("seed DAG kubernetes_pod_operator/sample_dag.ts", () => {
  let pool: LoaderPool;
  const saved = { ENV: process.env.ENV, DB_USER: process.env.DB_USER };

  /** Loads the seed in a fresh loader process, which inherits this process's environment. */
  async function loadSeed() {
    const [result] = await pool.load(DAGS, [SEED]);
    expect(result?.errors).toEqual([]);
    expect(result?.dags).toHaveLength(1);
    return result?.dags[0];
  }

  beforeAll(() => {
    pool = new LoaderPool();
  });

  afterAll(() => pool.close());

  beforeEach(() => {
    delete process.env.ENV;
    delete process.env.DB_USER;
  });

  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  test("with ENV unset: the local image, no pull secret, DB_USER from the db Secret", async () => {
    const loaded = await loadSeed();
    expect(loaded).toEqual({
      file: "kubernetes_pod_operator/sample_dag.ts",
      line: 9,
      dag: expectedNodeJobs("test/nodejobs:1.0.0", []),
    });
  });

  test("with ENV=prod: the registry image and the regcred pull secret; DB_USER never read from the environment", async () => {
    process.env.ENV = "prod";
    process.env.DB_USER = "jobs_reader";
    const loaded = await loadSeed();
    expect(loaded?.dag).toEqual(
      expectedNodeJobs("registry.example.com/test/nodejobs:1.0.0", [{ name: "regcred" }]),
    );
  });

  test("with ENV=local: the local image", async () => {
    process.env.ENV = "local";
    const loaded = await loadSeed();
    expect(loaded?.dag.tasks[0]?.image).toBe("test/nodejobs:1.0.0");
    expect(loaded?.dag.tasks[0]?.imagePullSecrets).toEqual([]);
  });

  test("the repository's dags folder loads without errors, with node_jobs and the nested ETL example", async () => {
    const { set } = await loadDagSet(pool, DAGS);
    expect(set.errors).toEqual([]);
    // Other examples may join these two; these must stay.
    expect(set.dags.map((loaded) => [loaded.dag.id, loaded.file])).toEqual(
      expect.arrayContaining([
        ["etl_orders", "etl/daily/orders.ts"],
        ["node_jobs", "kubernetes_pod_operator/sample_dag.ts"],
      ]),
    );
    // The job script and the ETL defaults are helpers, not DAG modules.
    expect([...set.modules.keys()]).not.toContain("services/service/nodejobs.js");
    expect([...set.modules.keys()]).not.toContain("etl/lib/defaults.ts");
    expect([...set.scans.keys()]).toEqual(
      expect.arrayContaining(["services/service/nodejobs.js", "etl/lib/defaults.ts"]),
    );
  });
});
