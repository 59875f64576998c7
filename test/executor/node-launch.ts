import type { TaskDefinition } from "../../src/dags/spec/dag-schema.ts";
import type { TaskLaunch } from "../../src/executor/executor.ts";
import type { ContractTask } from "./executor-contract.ts";

export const LOGICAL_DATE = "2026-05-01T10:00:00.000Z";

/**
 * The launch of a contract task as `node -e <script>` (the fake kubelet runs a Pod's command the
 * same way, so it behaves alike on both executors); `fields` override it.
 */
export function nodeLaunch(
  { key, script, logFile, snapshot }: ContractTask,
  task: TaskDefinition,
  fields: Partial<TaskLaunch> = {},
): TaskLaunch {
  return {
    ...key,
    task,
    command: [process.execPath, "-e", script],
    args: [],
    env: {},
    snapshot,
    logFile,
    logicalDate: LOGICAL_DATE,
    ...fields,
  };
}
