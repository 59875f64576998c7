import { UsageError } from "../config/flags.ts";

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
  const url = `${options.server.replace(/\/$/, "")}/api/dags/${encodeURIComponent(options.dagId)}/runs`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ conf }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    err(
      `updraft: cannot reach ${options.server}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}\n`,
    );
    return 1;
  }
  const body = (await response.json().catch(() => ({}))) as { runId?: string; error?: { message?: string } };
  if (!response.ok || !body.runId) {
    err(
      `updraft: trigger failed (HTTP ${response.status}): ${body.error?.message ?? "no run id in the response"}\n`,
    );
    return 1;
  }
  out(`${body.runId}\n`);
  return 0;
}
