import { DateTime } from "luxon";
import { z } from "zod";
import { BoundedMemo } from "./bounded-memo.ts";
import { cronScheduleError } from "./cron.ts";
import { checkedString, dagIdentifier, durationMs } from "./refinements.ts";
import { taskGraphProblems } from "./task-graph.ts";
import { paramsSchema, scheduledParamsProblems } from "./params-schema.ts";
import { podTaskSchema } from "./task-schema.ts";
import { dagNotifySchema } from "./notify-schema.ts";
import { timezoneError } from "./timezone.ts";

const DEFAULT_RETRY_DELAY_MS = 300_000;

const dateInput = z.union([z.string(), z.date()]);

const rawDagSchema = z.strictObject({
  kind: z.literal("dag"),
  id: dagIdentifier,
  description: z.string().nullable().default(null),
  schedule: checkedString(cronScheduleError).nullable(),
  timezone: checkedString(timezoneError).default("UTC"),
  startDate: dateInput.optional(),
  endDate: dateInput.optional(),
  catchup: z.boolean().default(false),
  pausedOnCreation: z.boolean().default(false),
  maxActiveRuns: z.number().int().min(1).default(16),
  concurrencyPolicy: z.enum(["allow", "forbid", "replace"]).default("allow"),
  owner: z.string().nullable().default(null),
  tags: z.array(z.string()).default([]),
  retries: z.number().int().min(0).max(100).default(0),
  retryDelay: durationMs.default(DEFAULT_RETRY_DELAY_MS),
  onFailure: z.strictObject({ url: z.url() }).nullable().default(null),
  /** Where failures, retries, successes and missed schedules are sent (email, Slack, webhook). */
  notify: dagNotifySchema.optional(),
  params: paramsSchema,
  /** A run still going this long after it started is stopped (`run timed out after 2h`). */
  runTimeout: durationMs.optional(),
  /** A scheduled run not started this long after its logical date is a missed schedule. */
  expectedWithin: durationMs.optional(),
  /** A scheduled run not finished this long after its logical date is a missed schedule. */
  finishWithin: durationMs.optional(),
  tasks: z.array(podTaskSchema).min(1, "a DAG needs at least one task"),
});

/**
 * The one validation path for DAGs: what a `dag({...})` call gave, checked and normalised into a
 * DagSpec (defaults filled in, durations in ms, dates as UTC ISO strings, task retries inherited).
 */
export const dagSchema = rawDagSchema
  .superRefine((dag, ctx) => {
    for (const problem of taskGraphProblems(dag.tasks)) {
      ctx.addIssue({
        code: "custom",
        path: ["tasks", problem.taskIndex, problem.field],
        message: problem.message,
      });
    }
    if (dag.schedule !== null)
      for (const { name, message } of scheduledParamsProblems(dag.params))
        ctx.addIssue({ code: "custom", path: ["params", name], message });
    const start = dag.startDate === undefined ? undefined : toUtc(dag.startDate, dag.timezone);
    const end = dag.endDate === undefined ? undefined : toUtc(dag.endDate, dag.timezone);
    if (start === null)
      ctx.addIssue({ code: "custom", path: ["startDate"], message: dateMessage(dag.startDate) });
    if (end === null) ctx.addIssue({ code: "custom", path: ["endDate"], message: dateMessage(dag.endDate) });
    if (start && end && end <= start) {
      ctx.addIssue({ code: "custom", path: ["endDate"], message: `must be after startDate (${start})` });
    }
  })
  .transform(
    ({
      kind: _kind,
      retryDelay,
      startDate,
      endDate,
      tasks,
      runTimeout,
      expectedWithin,
      finishWithin,
      ...dag
    }) => ({
      ...dag,
      runTimeoutMs: runTimeout ?? null,
      expectedWithinMs: expectedWithin ?? null,
      finishWithinMs: finishWithin ?? null,
      startDate: startDate === undefined ? null : toUtc(startDate, dag.timezone),
      endDate: endDate === undefined ? null : toUtc(endDate, dag.timezone),
      retryDelayMs: retryDelay,
      tasks: tasks.map(
        ({
          kind: _taskKind,
          retries,
          retryDelay: taskRetryDelay,
          timeout,
          startupTimeout,
          pool,
          ...task
        }) => ({
          ...task,
          pool: pool ?? null,
          retries: retries ?? dag.retries,
          retryDelayMs: taskRetryDelay ?? retryDelay,
          timeoutMs: timeout ?? null,
          startupTimeoutMs: startupTimeout,
        }),
      ),
    }),
  );

/** A loaded, validated DAG: plain data, safe to send between processes and store. */
export type DagDefinition = z.output<typeof dagSchema>;
export type TaskDefinition = DagDefinition["tasks"][number];

/** A date (ISO date or date-time, or a Date) read in `zone` unless it names its own offset; null if invalid. */
function toUtc(value: string | Date, zone: string): string | null {
  if (value instanceof Date) {
    const parsed = DateTime.fromJSDate(value, { zone: "UTC" });
    return parsed.isValid ? parsed.toUTC().toISO() : null;
  }
  // Each DAG's dates are read twice (refinement, transform), and most DAGs share them.
  return isoDates.get(`${zone}\n${value}`);
}

/** Zone and ISO text, joined by a newline (which neither may contain), read as a UTC ISO time. */
const isoDates = new BoundedMemo((key: string) => {
  const split = key.indexOf("\n");
  const parsed = DateTime.fromISO(key.slice(split + 1), { zone: key.slice(0, split), setZone: false });
  return parsed.isValid ? parsed.toUTC().toISO() : null;
}, 1_024);

function dateMessage(value: unknown): string {
  return `${JSON.stringify(value)} is not an ISO date or date-time (e.g. "2026-11-01" or "2026-11-01T06:00:00")`;
}
