import { Writable } from "node:stream";
import type { KubeApi } from "./kube-api.ts";

/** The stamp `timestamps=true` puts before each line. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z /;

export interface TailLimits {
  lines: number;
  bytes: number;
}

const DEFAULT_LIMITS: TailLimits = { lines: 5, bytes: 1024 };

/**
 * The last lines of a container's log (an init container that failed, say), for a failure reason.
 * Reads the whole log but keeps only its end, so a huge log costs no memory; "" when the log
 * cannot be read (the Pod is gone).
 */
export async function containerLogTail(
  api: KubeApi,
  target: { namespace: string; pod: string; container: string },
  limits: TailLimits = DEFAULT_LIMITS,
): Promise<string> {
  // Room for the last lines with their timestamps; what falls out front is cut at a line start.
  const keep = limits.bytes * 2 + limits.lines * 40;
  let end = Buffer.alloc(0);
  let cut = false;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      end = Buffer.concat([end, chunk]);
      if (end.length > keep) {
        end = end.subarray(end.length - keep);
        cut = true;
      }
      callback();
    },
  });
  try {
    await api.readLog(target.namespace, target.pod, target.container, undefined, sink);
  } catch {
    return "";
  }
  const lines = end.toString("utf8").split("\n");
  if (cut) lines.shift();
  const tail = lines
    .map((line) => line.replace(STAMP, "").trimEnd())
    .filter((line) => line.length > 0)
    .slice(-limits.lines)
    .join("\n");
  return tail.length > limits.bytes ? `…${tail.slice(tail.length - limits.bytes)}` : tail;
}
