/**
 * `npm run bench:audit`: what the audit log costs.
 * - append: 1,000 appends one after another (each fsynced before it resolves), then 1,000 at once
 *   (group commit: one fsync for the entries waiting together)
 * - query on a log of 1,000,000 entries in one file (BENCH_AUDIT_ENTRIES to change): the newest 10,
 *   a rare actor (the prefilter skips parsing), and `before` near the start (every line parsed).
 *   Each prints its time and the peak RSS, and its growth over the RSS before it: PASS within +64 MB.
 *   (The log itself, ~250 MB, is never held: compare the peak with that.)
 */
import { mkdir, open, stat } from "node:fs/promises";
import path from "node:path";
import type { AuditEntry, AuditQuery } from "../src/audit/audit-entry.ts";
import { AuditLog, auditFile } from "../src/audit/audit-log.ts";
import { auditLine } from "../src/audit/audit-line.ts";
import { SecretMask } from "../src/secrets/secret-mask.ts";
import { benchInTempDir, line, mb, median, ms, verdict } from "./lib/figures.ts";

const ENTRIES = Number(process.env.BENCH_AUDIT_ENTRIES) || 1_000_000;
const RSS_BUDGET = 64 * 1024 * 1024;
const START = Date.parse("2026-01-01T00:00:00Z");

function entry(index: number, fields: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: new Date(START + index * 1000).toISOString(),
    actor: `user${index % 50}@example.com`,
    role: "operator",
    via: "session",
    action: index % 3 === 0 ? "trigger" : "clear",
    target: `run/dag_${index % 100}__manual__20260101T000000Z_${(index % 4096).toString(16)}/task/load`,
    input: { conf: { date: "2026-01-01", rows: index } },
    status: 201,
    requestId: `req-${index}`,
    ...fields,
  };
}

/** Milliseconds to two decimals: an fsync may take well under one. */
const fine = (value: number) => `${value.toFixed(2)} ms`;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function appends(root: string): Promise<void> {
  const log = new AuditLog({ stateDir: path.join(root, "appends"), mask: new SecretMask(["bench-secret"]) });
  const times: number[] = [];
  for (let i = 0; i < 1000; i++) {
    const started = performance.now();
    await log.append(entry(i));
    times.push(performance.now() - started);
  }
  line(
    "1,000 appends one after another",
    `median ${fine(median(times))}, p99 ${fine(percentile(times, 99))}`,
  );
  const started = performance.now();
  await Promise.all(Array.from({ length: 1000 }, (_, i) => log.append(entry(1000 + i))));
  const took = performance.now() - started;
  line("1,000 appends at once", `${ms(took)} in all (${Math.round(1000 / (took / 1000))} entries/s)`);
  await log.close();
}

/** The log of ENTRIES entries, written directly (as many appends would have, minus the fsyncs). */
async function bigLog(stateDir: string): Promise<number> {
  const file = auditFile(stateDir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const handle = await open(file, "w", 0o600);
  try {
    let block: string[] = [];
    for (let i = 0; i < ENTRIES; i++) {
      block.push(auditLine(i < 5 ? entry(i, { actor: "rare@example.com" }) : entry(i)));
      if (block.length === 20_000) {
        await handle.write(block.join(""));
        block = [];
      }
    }
    await handle.write(block.join(""));
  } finally {
    await handle.close();
  }
  return (await stat(file)).size;
}

async function measured(log: AuditLog, label: string, query: AuditQuery, expected: number): Promise<void> {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  const found = await log.query(query);
  const took = performance.now() - started;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  const check = found.length === expected ? "" : ` (found ${found.length}, expected ${expected}: WRONG)`;
  line(
    label,
    `${ms(took)}; peak RSS ${mb(peak)}, +${mb(peak - before)} (${verdict(peak - before, RSS_BUDGET, mb)})${check}`,
  );
  if (check) process.exitCode = 1;
}

async function queries(root: string): Promise<void> {
  const stateDir = path.join(root, "big");
  const started = performance.now();
  const bytes = await bigLog(stateDir);
  line(
    `log of ${ENTRIES.toLocaleString("en-US")} entries written`,
    `${mb(bytes)} in ${ms(performance.now() - started)}`,
  );
  const log = new AuditLog({ stateDir, mask: new SecretMask() });
  await measured(log, "query: newest 10", { limit: 10 }, 10);
  await measured(
    log,
    "query: actor of the 5 oldest only, limit 10 (whole file)",
    { limit: 10, actor: "rare@example.com" },
    5,
  );
  await measured(
    log,
    "query: before the 10th entry, limit 10 (every line parsed)",
    { limit: 10, before: new Date(START + 10_000).toISOString() },
    10,
  );
  await measured(log, "query: dag=dag_7, limit 1000", { limit: 1000, dag: "dag_7" }, 1000);
  await log.close();
}

await benchInTempDir("bench:audit", async (root) => {
  await appends(root);
  await queries(root);
});
