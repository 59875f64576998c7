/** The state an operator may mark a run or a task with. */
export type MarkState = "success" | "failed";

/** What an operator asked of a run: stop it, or mark it (or one of its tasks) success or failed. */
export type RunChange = { action: "stop" } | { action: "mark"; state: MarkState; taskId?: string };
