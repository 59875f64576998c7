import { askDaemon, refusal } from "./daemon-request.ts";
import type { RunCommandOptions } from "./stop-command.ts";

/** `updraft retry-failed`: asks a running daemon to run a finished run's failed tasks again; prints the run id. */
export async function runRetryFailed(
  options: RunCommandOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const answer = await askDaemon({
    server: options.server,
    path: `/api/runs/${encodeURIComponent(options.runId)}/retry-failed`,
    token: options.token,
    timeoutMs: 30_000,
  });
  const id = answer.reached ? answer.body.id : undefined;
  if (!answer.reached || !answer.ok || typeof id !== "string") {
    err(refusal("retry-failed", answer, "no run in the response"));
    return 1;
  }
  out(`${id}\n`);
  return 0;
}
