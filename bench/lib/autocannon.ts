import { execFile } from "node:child_process";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface Figures {
  path: string;
  status: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** The daemon's own event-loop delay meanwhile: high tail latency with a low figure here is the machine, not the daemon. */
  loopDelayP99: number;
  cpuMsPerRequest: number;
}

/** autocannon (a separate process, so it does not share the daemon's event loop) against `url + pathname`, with this process's loop delay and CPU meanwhile. */
export async function autocannon(
  url: string,
  pathname: string,
  options: { connections: number; seconds: number },
): Promise<Omit<Figures, "status">> {
  const bin = path.resolve("node_modules/.bin/autocannon");
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const cpuBefore = process.cpuUsage();
  const { stdout } = await run(
    bin,
    ["-c", String(options.connections), "-d", String(options.seconds), "-j", url + pathname],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  delay.disable();
  const cpu = process.cpuUsage(cpuBefore);
  const result = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
  };
  return {
    path: pathname,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    loopDelayP99: delay.percentile(99) / 1e6,
    cpuMsPerRequest: (cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total),
  };
}
