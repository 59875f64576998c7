import { Gauge, type Registry } from "prom-client";
import type { PoolUsage } from "../runs/pool-slots.ts";

/** What the pool gauges read at scrape time. */
export type PoolGaugeSource = () => readonly PoolUsage[];

/** `updraft_pool_slots`, `updraft_pool_used_slots`, `updraft_pool_queued_tries`, by pool. */
export function poolGauges(registers: Registry[], pools: PoolGaugeSource): void {
  const gauge = (name: string, help: string, value: (pool: PoolUsage) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["pool"] as const,
      registers,
      collect() {
        this.reset();
        for (const pool of pools()) this.set({ pool: pool.name }, value(pool));
      },
    });
  gauge("updraft_pool_slots", "Slots of each pool (--pool NAME=N).", (pool) => pool.slots);
  gauge(
    "updraft_pool_used_slots",
    "Tries holding a slot of each pool (queued to start or running).",
    (pool) => pool.used,
  );
  gauge(
    "updraft_pool_queued_tries",
    "Tries ready to start that wait for a slot of each pool.",
    (pool) => pool.queued,
  );
}
