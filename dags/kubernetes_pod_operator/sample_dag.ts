// The node_jobs DAG, ported from an Airflow KubernetesPodOperator DAG: one pod per run, triggered
// by hand with a JSON conf that reaches the container as its first argument.
import { dag, pod } from "updraft";

const isLocal = (process.env.ENV ?? "local") === "local";
const image = isLocal ? "test/nodejobs:1.0.0" : "registry.example.com/test/nodejobs:1.0.0";
const imagePullSecrets = isLocal ? [] : [{ name: "regcred" }];

export default dag({
  id: "node_jobs",
  schedule: null,
  startDate: "2026-11-01",
  catchup: false,
  pausedOnCreation: false,
  owner: "sample",
  retries: 2,
  tasks: [
    pod({
      id: "test_task",
      image,
      imagePullSecrets,
      namespace: "jobs",
      command: ["node", "services/service/nodejobs.js"],
      args: ["{{ dag_run.conf }}"],
      // The Pod references the Secret; its value never passes through the DAG file or updraft.
      env: { DB_USER: { secretKeyRef: { name: "db", key: "user" } } },
      annotations: { "sidecar.istio.io/inject": "false" },
      volumes: [{ name: "sample-data", emptyDir: {} }],
      volumeMounts: [{ name: "sample-data", mountPath: "/sample-data" }],
      resources: {
        requests: { cpu: "200m", memory: "256Mi" },
        limits: { cpu: "1000m", memory: "1Gi" },
      },
    }),
  ],
});
