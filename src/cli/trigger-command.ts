import { UsageError } from "../config/flags.ts";
import { askDaemon, refusal } from "./daemon-request.ts";

export interface TriggerOptions {
  dagId: string;
  conf: string | undefined;
  server: string;
  token: string | undefined;
}

/** `updraft trigger`: asks a running daemon for a manual run and prints its id. */
export async function runTrigger(
  options: TriggerOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  let conf: unknown = {};
  if (options.conf !== undefined) {
    try {
      conf = JSON.parse(options.conf);
    } catch (error) {
      throw new UsageError(`--conf is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof conf !== "object" || conf === null || Array.isArray(conf))
      throw new UsageError("--conf must be a JSON object, e.g. '{\"k\":1}'");
  }
  const answer = await askDaemon({
    server: options.server,
    path: `/api/dags/${encodeURIComponent(options.dagId)}/runs`,
    token: options.token,
    body: { conf },
    timeoutMs: 30_000,
  });
  const runId = answer.reached ? answer.body.runId : undefined;
  if (!answer.reached || !answer.ok || typeof runId !== "string") {
    const problems = answer.reached ? confProblems(answer.body.error) : [];
    if (answer.reached && problems.length > 0)
      err(
        `updraft: trigger failed (HTTP ${answer.status}): conf does not fit the params of DAG ${JSON.stringify(options.dagId)}:\n${problems.map((p) => `  ${p}\n`).join("")}`,
      );
    else err(refusal("trigger", answer, "no run id in the response"));
    return 1;
  }
  out(`${runId}\n`);
  return 0;
}

/** The `problems` of a refused conf (400 invalid_conf), one line per bad field. */
function confProblems(error: unknown): string[] {
  const problems: unknown =
    typeof error === "object" && error !== null ? (error as { problems?: unknown }).problems : undefined;
  return Array.isArray(problems) ? problems.filter((p): p is string => typeof p === "string") : [];
}
