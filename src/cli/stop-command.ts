import { askDaemon, refusal } from "./daemon-request.ts";

export interface RunCommandOptions {
  runId: string;
  server: string;
  token: string | undefined;
}

/** `updraft stop`: asks a running daemon to stop a run and prints its final state and reason. */
export async function runStop(
  options: RunCommandOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const answer = await askDaemon({
    server: options.server,
    path: `/api/runs/${encodeURIComponent(options.runId)}/stop`,
    token: options.token,
    // Stopping waits for the run's Pods to be deleted, with their grace period.
    timeoutMs: 60_000,
  });
  const state = answer.reached ? answer.body.state : undefined;
  if (!answer.reached || !answer.ok || typeof state !== "string") {
    err(refusal("stop", answer, "no run in the response"));
    return 1;
  }
  const reason = answer.body.reason;
  out(`${options.runId} ${state}: ${typeof reason === "string" ? reason : "stopped"}\n`);
  return 0;
}
