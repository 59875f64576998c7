import { askDaemon, refusal } from "./daemon-request.ts";

export interface RunCommandOptions {
  runId: string;
  server: string;
  token: string | undefined;
}

type Print = (text: string) => void;

/**
 * POSTs `/api/runs/:runId/<action>` for a run command and prints what `line` makes of the run in
 * the answer; a refusal (or an answer without the field `needs`) is printed to `err`, exit 1.
 */
async function runAction(
  options: RunCommandOptions,
  io: { out: Print; err: Print },
  action: { name: string; timeoutMs: number; needs: string; line: (run: Record<string, unknown>) => string },
): Promise<number> {
  const answer = await askDaemon({
    server: options.server,
    path: `/api/runs/${encodeURIComponent(options.runId)}/${action.name}`,
    token: options.token,
    timeoutMs: action.timeoutMs,
  });
  if (!answer.reached || !answer.ok || typeof answer.body[action.needs] !== "string") {
    io.err(refusal(action.name, answer, "no run in the response"));
    return 1;
  }
  io.out(action.line(answer.body));
  return 0;
}

/** `updraft stop`: asks a running daemon to stop a run and prints its final state and reason. */
export function runStop(options: RunCommandOptions, out: Print, err: Print): Promise<number> {
  return runAction(
    options,
    { out, err },
    {
      name: "stop",
      // Stopping waits for the run's Pods to be deleted, with their grace period.
      timeoutMs: 60_000,
      needs: "state",
      line: (run) =>
        `${options.runId} ${String(run.state)}: ${typeof run.reason === "string" ? run.reason : "stopped"}\n`,
    },
  );
}

/** `updraft retry-failed`: asks a running daemon to run a finished run's failed tasks again; prints the run id. */
export function runRetryFailed(options: RunCommandOptions, out: Print, err: Print): Promise<number> {
  return runAction(
    options,
    { out, err },
    {
      name: "retry-failed",
      timeoutMs: 30_000,
      needs: "id",
      line: (run) => `${String(run.id)}\n`,
    },
  );
}
