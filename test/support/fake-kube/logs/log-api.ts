import type { ServerResponse } from "node:http";
import type { Handler } from "../api/context.ts";
import type { LogCut } from "../faults.ts";
import { PODS } from "../resources.ts";
import { badRequest } from "../status.ts";
import { rfc3339Nano } from "../time.ts";
import type { ContainerStatus, Pod } from "../types.ts";
import { parseLogOptions, type LogOptions } from "./log-options.ts";
import type { ContainerLog, LogLine } from "./log-store.ts";

/** The kubelet's validateContainerLogStatus: which container instance to read, or why there is none yet. */
function containerIdFor(
  pod: Pod,
  container: string,
  status: ContainerStatus | undefined,
  previous: boolean,
): string {
  const name = pod.metadata.name;
  const lastTerminated = status?.lastState.terminated?.containerID;
  if (previous) {
    if (!lastTerminated)
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    return lastTerminated;
  }
  const state = status?.state;
  if (state?.running && status?.containerID) return status.containerID;
  if (state?.terminated) {
    const id = state.terminated.containerID ?? lastTerminated;
    if (!id) throw badRequest(`container "${container}" in pod "${name}" is terminated`);
    return id;
  }
  if (lastTerminated) return lastTerminated;
  const reason = state?.waiting?.reason ?? "ContainerCreating";
  if (reason === "ErrImagePull") {
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: image can't be pulled`);
  }
  if (reason === "ImagePullBackOff") {
    throw badRequest(
      `container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`,
    );
  }
  throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
}

/** Writes lines to the response, honouring limitBytes and an injected cut; false once the stream is over. */
function lineWriter(res: ServerResponse, options: LogOptions, cut: LogCut | undefined) {
  let bytes = 0;
  let lines = 0;
  const byteLimit = Math.min(options.limitBytes ?? Infinity, cut?.afterBytes ?? Infinity);
  const lineLimit = cut?.afterLines ?? Infinity;
  const stop = (byFault: boolean) => {
    // end() rather than destroy(): what was written still arrives, then the connection drops mid-response.
    if (byFault && cut?.abrupt) res.socket?.end();
    else res.end();
    return false;
  };
  return (line: LogLine): boolean => {
    if (res.writableEnded || res.destroyed) return false;
    if (lines >= lineLimit) return stop(true);
    let data = Buffer.from(options.timestamps ? `${rfc3339Nano(line.ns)} ${line.text}` : line.text);
    const room = byteLimit - bytes;
    if (data.length > room) data = data.subarray(0, room);
    res.write(data);
    bytes += data.length;
    lines++;
    if (bytes >= byteLimit) return stop(bytes >= (cut?.afterBytes ?? Infinity));
    if (lines >= lineLimit) return stop(true);
    return true;
  };
}

function stream(res: ServerResponse, log: ContainerLog, options: LogOptions, cut: LogCut | undefined): void {
  const write = lineWriter(res, options, cut);
  const wanted = (l: LogLine) => options.sinceNs === undefined || l.ns >= options.sinceNs;
  const start = options.tailLines === undefined ? 0 : Math.max(0, log.lines.length - options.tailLines);
  let next = start;
  const drain = (): boolean => {
    for (; next < log.lines.length; next++) {
      const line = log.lines[next];
      if (line && wanted(line) && !write(line)) return false;
    }
    return true;
  };
  if (!drain()) return;
  if (!options.follow || log.closed) {
    res.end();
    return;
  }
  const stop = log.follow(() => {
    if (!drain()) stop();
    else if (log.closed) {
      stop();
      res.end();
    }
  });
  res.on("close", stop);
}

/** GET pods/{name}/log: a 400 while the container waits, else the log as text/plain, followed if asked. */
export const podLogHandler: Handler = ({ ctx, info, res }) => {
  const name = info.name ?? "";
  const pod = ctx.store.mustGet(PODS, info.namespace, name) as Pod;
  const names = pod.spec.containers.map((c) => c.name);
  const initNames = (pod.spec.initContainers ?? []).map((c) => c.name);
  const container = info.query.container ?? (names.length === 1 ? names[0] : undefined);
  if (container === undefined) {
    const init = initNames.length > 0 ? ` or one of the init containers: [${initNames.join(" ")}]` : "";
    throw badRequest(
      `a container name must be specified for pod ${name}, choose one of: [${names.join(" ")}]${init}`,
    );
  }
  if (!names.includes(container) && !initNames.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  const options = parseLogOptions(name, info.query);
  const headers = { "Content-Type": "text/plain", "Cache-Control": "no-cache, private" };
  if (!pod.spec.nodeName) {
    res.writeHead(200, headers).end();
    return { streamed: true };
  }
  const statuses = [...(pod.status.containerStatuses ?? []), ...(pod.status.initContainerStatuses ?? [])];
  const status = statuses.find((s) => s.name === container);
  const log = ctx.logs.get(containerIdFor(pod, container, status, options.previous));
  if (!log) throw badRequest(`container "${container}" in pod "${name}" is waiting to start - no logs yet`);
  res.writeHead(200, headers);
  res.flushHeaders();
  stream(res, log, options, ctx.faults.logCutFor(info));
  return { streamed: true };
};
