import { STATUS_CODES } from "node:http";
import { StringDecoder } from "node:string_decoder";
import type { KubeConfig } from "@kubernetes/client-node";
import { startRequest } from "./raw-request.ts";

/**
 * Opens a watch; events go to `onEvent`, its end or failure to `onDone` (once). A line `skip`
 * answers true for was handled from its text alone: it is not parsed, and `onEvent` not called.
 */
export type RawWatch = (
  path: string,
  query: Readonly<Record<string, string | boolean | undefined>>,
  onEvent: (type: string, object: unknown) => void,
  onDone: (error: unknown) => void,
  skip?: (line: string) => boolean,
) => Promise<{ abort(): void }>;

/**
 * The watch client-node's `Watch.watch` opens (the same path and query, in its order), read
 * without node-fetch and readline: each chunk is cut into lines here and each line parsed as one
 * event (a line that is not JSON is skipped, as there). Ends as `Watch.watch` does: `onDone` once,
 * with null when the server closes the stream, else with the error (a status other than 200 is an
 * Error carrying `statusCode`); never throws.
 */
export function rawWatches(config: KubeConfig): RawWatch {
  return async (path, query, onEvent, onDone, skip) => {
    let done = false;
    let abort: () => void = () => undefined;
    const finish = (error: unknown) => {
      if (done) return;
      done = true;
      // A failed or cut stream is closed for good; a clean end leaves the connection to the agent.
      if (error) abort();
      onDone(error);
    };
    const params: Array<[string, string]> = [["watch", "true"]];
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) params.push([name, String(value)]);
    try {
      const { request, response } = await startRequest(config, "GET", path, params, { Accept: "*/*" });
      abort = () => request.destroy();
      request.end();
      const answer = await response;
      // As the client does: keep the long-lived connection probed.
      answer.socket?.setKeepAlive(true, 30_000);
      if (answer.statusCode !== 200) {
        answer.resume();
        const status = answer.statusCode ?? 500;
        const error = new Error(answer.statusMessage || STATUS_CODES[status] || "Internal Server Error");
        (error as Error & { statusCode: number }).statusCode = status;
        throw error;
      }
      const decoder = new StringDecoder("utf8");
      let pending = "";
      const line = (text: string) => {
        if (skip?.(text)) return;
        let event: { type?: unknown; object?: unknown };
        try {
          event = JSON.parse(text) as typeof event;
        } catch {
          return;
        }
        onEvent(event.type as string, event.object);
      };
      answer.on("data", (chunk: Buffer) => {
        pending += decoder.write(chunk);
        let at: number;
        while (!done && (at = pending.indexOf("\n")) >= 0) {
          const text = pending.slice(0, at);
          pending = pending.slice(at + 1);
          if (text.trim() !== "") line(text);
        }
      });
      answer.on("error", finish);
      answer.on("end", () => {
        // A last line without its newline still counts, as readline has it.
        const rest = pending + decoder.end();
        pending = "";
        if (!done && rest.trim() !== "") line(rest);
        finish(null);
      });
      answer.on("close", () => finish(null));
    } catch (error) {
      finish(error);
    }
    return { abort: () => abort() };
  };
}
