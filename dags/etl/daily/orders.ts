// A small ETL pipeline that runs every five minutes with the local executor or on a cluster:
// extract publishes a result, two transforms run in parallel, load reads the result once both
// succeeded.
import { dag, pod } from "updraft";
import { NODE_IMAGE, nodeScript } from "../lib/defaults.ts";

export default dag({
  id: "etl_orders",
  description: "Extract orders, compute totals per region and per day, load the report.",
  schedule: "*/5 * * * *",
  startDate: "2026-11-01",
  catchup: false,
  owner: "data",
  tags: ["etl", "example"],
  retries: 1,
  retryDelay: "10s",
  // Typed params: a trigger's conf is checked against them (the DAG page shows a form), and
  // scheduled runs get the defaults in {{ dag_run.conf }}.
  params: {
    region: { type: "string", enum: ["eu", "us"], default: "eu", description: "Orders of which region" },
    limit: { type: "integer", minimum: 1, default: 100, description: "At most this many orders" },
  },
  tasks: [
    pod({
      id: "extract",
      image: NODE_IMAGE,
      // A task publishes a JSON result by printing one `::updraft-result::<json>` line.
      command: nodeScript(
        "console.log('extracting at most {{ dag_run.conf.limit }} {{ dag_run.conf.region }} orders for {{ ds }}'); console.log('::updraft-result::' + JSON.stringify({ orders: 42, day: '{{ ds }}' }))",
      ),
    }),
    pod({
      id: "totals_by_region",
      image: NODE_IMAGE,
      dependsOn: ["extract"],
      command: nodeScript("console.log('totals by region for {{ tasks.extract.result.orders }} orders')"),
    }),
    pod({
      id: "totals_by_day",
      image: NODE_IMAGE,
      dependsOn: ["extract"],
      command: nodeScript("console.log('totals by day computed')"),
    }),
    pod({
      id: "load",
      image: NODE_IMAGE,
      dependsOn: ["totals_by_region", "totals_by_day"],
      command: nodeScript(
        "console.log('report of {{ tasks.extract.result.orders }} orders loaded for run {{ run_id }}')",
      ),
      timeout: "2m",
    }),
  ],
});
