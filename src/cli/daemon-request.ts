/** What a running daemon answered to one CLI request, or why it could not be asked. */
export type DaemonAnswer =
  | {
      reached: true;
      ok: boolean;
      status: number;
      body: Record<string, unknown> & { error?: { message?: string } };
    }
  | { reached: false; reason: string };

export interface DaemonRequest {
  server: string;
  /** The API path, already encoded, e.g. `/api/runs/x/stop`. */
  path: string;
  token: string | undefined;
  method?: "GET" | "POST";
  body?: unknown;
  timeoutMs: number;
}

/** One JSON request from a CLI command to a running daemon's API (`--server`, `--token`). */
export async function askDaemon(request: DaemonRequest): Promise<DaemonAnswer> {
  const url = `${request.server.replace(/\/$/, "")}${request.path}`;
  const headers: Record<string, string> = {};
  if (request.token) headers.authorization = `Bearer ${request.token}`;
  if (request.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method ?? "POST",
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    const cause = (error as Error).cause;
    return {
      reached: false,
      reason: `cannot reach ${request.server}: ${cause instanceof Error ? cause.message : (error as Error).message}`,
    };
  }
  const parsed: unknown = await response.json().catch(() => ({}));
  const body = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  return { reached: true, ok: response.ok, status: response.status, body: body as Record<string, unknown> };
}

/** The line a CLI prints when the daemon refused or could not be reached. */
export function refusal(command: string, answer: DaemonAnswer, missing: string): string {
  if (!answer.reached) return `updraft: ${answer.reason}\n`;
  return `updraft: ${command} failed (HTTP ${answer.status}): ${answer.body.error?.message ?? missing}\n`;
}
