export interface RetryFailedOptions {
  runId: string;
  server: string;
  token: string | undefined;
}

/** `updraft retry-failed`: asks a running daemon to run a finished run's failed tasks again; prints the run id. */
export async function runRetryFailed(
  options: RetryFailedOptions,
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const url = `${options.server.replace(/\/$/, "")}/api/runs/${encodeURIComponent(options.runId)}/retry-failed`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as Error).cause;
    err(
      `updraft: cannot reach ${options.server}: ${cause instanceof Error ? cause.message : (error as Error).message}\n`,
    );
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as { id?: string; error?: { message?: string } };
  if (!response.ok || !body.id) {
    err(
      `updraft: retry-failed failed (HTTP ${response.status}): ${body.error?.message ?? "no run in the response"}\n`,
    );
    return 1;
  }
  out(`${body.id}\n`);
  return 0;
}
