/**
 * `npm run bench:memory`: the daemon's RSS while one request tries to make it hold a lot.
 * - serving a 2 GB task log (streamed and discarded by the client)
 * - 20 concurrent unsigned 25 MB webhook posts, and 20 badly signed ones (streamed into the HMAC)
 * Each prints RSS before and the peak during (from /proc/<pid>/status), PASS within +64 MB.
 */
import { execFileSync } from "node:child_process";
import { open, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { readFileSync } from "node:fs";
import { startDaemonProcess, waitReady } from "./lib/daemon-process.ts";
import { line, mb, verdict } from "./lib/figures.ts";

/** 2 GB unless BENCH_LOG_MB says otherwise (a quicker run). */
const LOG_BYTES = (Number(process.env.BENCH_LOG_MB) || 2048) * 1024 * 1024;
const WEBHOOK_BYTES = 25 * 1024 * 1024;
const POSTS = 20;
const SECRET = "bench-webhook-secret-0123456789";
const BUDGET = 64 * 1024 * 1024;

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

/** Samples RSS every 10 ms while `work` runs; returns before and peak. */
async function peakDuring(pid: number, work: () => Promise<void>): Promise<{ before: number; peak: number }> {
  const before = rssOf(pid);
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssOf(pid));
  }, 10);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  peak = Math.max(peak, rssOf(pid));
  return { before, peak };
}

/** A 2 GB log of ~120-byte lines, with the webhook secret in a line now and then. */
async function writeBigLog(file: string): Promise<void> {
  const lines: string[] = [];
  for (let i = 0; i < 8192; i++)
    lines.push(i % 1000 === 7 ? `token ${SECRET} printed by mistake\n` : `${i} ${"x".repeat(110)} line\n`);
  const block = Buffer.from(lines.join(""));
  const handle = await open(file, "w");
  try {
    for (let written = 0; written < LOG_BYTES; written += block.length) await handle.write(block);
  } finally {
    await handle.close();
  }
}

/** Reads a response to its end, counting bytes and discarding them. */
async function drain(url: string): Promise<number> {
  const response = await fetch(url);
  let total = 0;
  const reader = response.body?.getReader();
  for (;;) {
    const chunk = await reader?.read();
    if (!chunk || chunk.done) break;
    total += chunk.value.byteLength;
  }
  return total;
}

/** Posts `bytes` of body; resolves with the status (the server may answer before it is all sent). */
function post(url: string, headers: Record<string, string>, bytes: number): Promise<number> {
  return new Promise((resolve) => {
    const chunk = Buffer.alloc(1024 * 1024, "a");
    const req = request(
      new URL("/webhooks/github", url),
      { method: "POST", headers: { ...headers, "content-length": String(bytes) } },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve(-1));
    let sent = 0;
    const more = () => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", more);
      }
      req.end();
    };
    more();
  });
}

async function main(): Promise<void> {
  const root = await mkdtemp(path.join(os.tmpdir(), "updraft-bench-memory-"));
  console.log(`df -h ${root}:\n${execFileSync("df", ["-h", root], { encoding: "utf8" }).trim()}`);
  const dags = path.join(root, "dags");
  const stateDir = path.join(root, "state");
  await import("node:fs/promises").then((fs) => fs.mkdir(dags, { recursive: true }));
  await writeFile(
    path.join(dags, "small.ts"),
    `import { dag, pod } from "updraft";
export default dag({ id: "small", schedule: null, tasks: [pod({ id: "say", image: "busybox:1.36", command: ["node", "-e", "console.log('hi')"] })] });
`,
  );
  const daemon = await startDaemonProcess(
    ["--dags", dags, "--state-dir", stateDir, "--webhook-secret", SECRET, "--executor", "local"],
    process.env,
  );
  const pid = daemon.child.pid as number;
  let failed = false;
  try {
    await waitReady(daemon);
    const triggered = await fetch(`${daemon.url}/api/dags/small/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const { runId } = (await triggered.json()) as { runId: string };
    for (;;) {
      const run = await daemon.getJson<{ state: string }>(`/api/runs/${runId}`);
      if (run.state === "success" || run.state === "failed") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const logFile = path.join(stateDir, "logs", "small", runId, "say", "try-1.log");
    const started = performance.now();
    await writeBigLog(logFile);
    const size = (await stat(logFile)).size;
    console.log(
      `\nbench:memory (updraft daemon pid ${pid}; log of ${mb(size)} written in ${Math.round(performance.now() - started)} ms)`,
    );

    let served = 0;
    const log = await peakDuring(pid, async () => {
      served = await drain(`${daemon.url}/api/runs/${runId}/tasks/say/logs`);
    });
    const logGrowth = log.peak - log.before;
    line(
      `GET …/logs of a ${mb(size)} log (${mb(served)} served)`,
      `RSS ${mb(log.before)} → peak ${mb(log.peak)} (+${mb(logGrowth)}); ${verdict(logGrowth, BUDGET, mb)}`,
    );
    await rm(logFile, { force: true });

    const statuses: number[] = [];
    const unsigned = await peakDuring(pid, async () => {
      statuses.push(
        ...(await Promise.all(
          Array.from({ length: POSTS }, () =>
            post(daemon.url, { "content-type": "application/json", "x-github-event": "push" }, WEBHOOK_BYTES),
          ),
        )),
      );
    });
    const unsignedGrowth = unsigned.peak - unsigned.before;
    line(
      `${POSTS} concurrent unsigned 25 MB webhook posts (answers ${[...new Set(statuses)].join(", ")})`,
      `RSS ${mb(unsigned.before)} → peak ${mb(unsigned.peak)} (+${mb(unsignedGrowth)}); ${verdict(unsignedGrowth, BUDGET, mb)}`,
    );
    statuses.length = 0;
    const badlySigned = await peakDuring(pid, async () => {
      statuses.push(
        ...(await Promise.all(
          Array.from({ length: POSTS }, () =>
            post(
              daemon.url,
              {
                "content-type": "application/json",
                "x-github-event": "push",
                "x-hub-signature-256": `sha256=${"0".repeat(64)}`,
              },
              WEBHOOK_BYTES,
            ),
          ),
        )),
      );
    });
    const signedGrowth = badlySigned.peak - badlySigned.before;
    line(
      `${POSTS} concurrent badly signed 25 MB webhook posts (answers ${[...new Set(statuses)].join(", ")})`,
      `RSS ${mb(badlySigned.before)} → peak ${mb(badlySigned.peak)} (+${mb(signedGrowth)}); ${verdict(signedGrowth, BUDGET, mb)}`,
    );
    const leftovers = await readdir(path.join(stateDir, "tmp")).catch(() => [] as string[]);
    line("temp files left in <state-dir>/tmp", String(leftovers.length));
    line(
      "load average (1, 5, 15 min)",
      os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(", "),
    );
    failed = leftovers.length > 0 || served === 0;
  } finally {
    await daemon.stop();
    await rm(root, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

await main();
