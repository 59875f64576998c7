/**
 * Writes src/dags/spec/core-v1-pod-fields.ts: every field of a core/v1 Pod and its type, read from
 * the official client's models, so offline validation knows the schema without loading the client
 * (740 ms) in every DAG loader process. Run after upgrading @kubernetes/client-node:
 * `node --import tsx scripts/pod-fields.ts`; test/dags/pod-validation.test.ts fails when stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { podFieldTable } from "./pod-field-table.ts";

const target = fileURLToPath(new URL("../src/dags/spec/core-v1-pod-fields.ts", import.meta.url));
writeFileSync(target, await podFieldTable());
console.log(`wrote ${target}`);
