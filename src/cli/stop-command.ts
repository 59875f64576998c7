export interface StopOptions {
  runId: string;
  server: string;
  token: string | undefined;
}

/** `updraft stop`: asks a running daemon to stop a run and prints its final state and reason. */
export async function runStop(
  options: StopOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const url = `${options.server.replace(/\/$/, "")}/api/runs/${encodeURIComponent(options.runId)}/stop`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    const cause = (error as Error).cause;
    err(
      `updraft: cannot reach ${options.server}: ${cause instanceof Error ? cause.message : (error as Error).message}\n`,
    );
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as {
    state?: string;
    reason?: string;
    error?: { message?: string };
  };
  if (!response.ok || !body.state) {
    err(
      `updraft: stop failed (HTTP ${response.status}): ${body.error?.message ?? "no run in the response"}\n`,
    );
    return 1;
  }
  out(`${options.runId} ${body.state}: ${body.reason ?? "stopped"}\n`);
  return 0;
}
