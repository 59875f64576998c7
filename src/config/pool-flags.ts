import { z } from "zod";
import { flag, UsageError } from "./flags.ts";
import { readYamlSettings } from "./yaml-file.ts";

/** Pools by name: at most N tries hold one of a pool's slots at once, across all DAGs. */
export type Pools = ReadonlyMap<string, number>;

const EXAMPLE = '(e.g. "warehouse=4")';

/** Why `name` cannot be a pool: the alphabet of task ids, which is what a task's `pool` accepts. */
function identifierError(name: string): string | undefined {
  if (!/^[A-Za-z0-9_.-]{1,250}$/.test(name) || name === "." || name === "..")
    return "may only contain letters, digits, '_', '-' and '.'";
  return undefined;
}

/** `NAME=N[,NAME=N…]`: the repeated `--pool` flags joined, or `UPDRAFT_POOL`. */
function parsePoolList(text: string, name: string): Pools {
  const pools = new Map<string, number>();
  for (const entry of text.split(",").map((part) => part.trim())) {
    if (entry === "") continue;
    const match = /^([^=]*)=(.*)$/.exec(entry);
    if (!match) throw new UsageError(`${name}: "${entry}" is not NAME=N ${EXAMPLE}`);
    const [, pool = "", count = ""] = match;
    const slots = Number(count);
    if (!/^\d+$/.test(count) || !Number.isSafeInteger(slots) || slots < 1)
      throw new UsageError(`${name}: "${entry}" is not NAME=N with N a whole number ≥ 1 ${EXAMPLE}`);
    const problem = identifierError(pool);
    if (problem) throw new UsageError(`${name}: "${pool}" is not a pool name: it ${problem}`);
    if (pools.has(pool)) throw new UsageError(`${name}: pool "${pool}" is given twice`);
    pools.set(pool, slots);
  }
  return pools;
}

export const POOL_FLAGS = [
  flag({
    name: "pool",
    repeatable: true,
    description:
      "A pool as NAME=N (repeat the flag; the variable takes a comma list): at most N tries of tasks with `pool: NAME` hold a slot at once, across all DAGs.",
    parse: parsePoolList,
  }),
  flag({
    name: "pools",
    description: "YAML file of pools, `{ warehouse: 4, gpu: 1 }` (slots per pool); --pool adds more.",
  }),
] as const;

const SLOTS_MESSAGE = "a pool has at least 1 slot (a whole number)";
const slotsSchema = z.number().int().min(1);
/**
 * `{ name: slots }` as the pools by name. Not z.record: it drops an own `__proto__` key (a pool
 * `--pool __proto__=3` may name), so the YAML mapping's own entries are checked one by one.
 */
const poolsFileSchema = z
  .custom<Record<string, unknown>>(
    (value) => typeof value === "object" && value !== null && !Array.isArray(value),
    { message: "must map pool names to slots, e.g. `warehouse: 4`" },
  )
  .transform((record, context) => {
    const pools = new Map<string, number>();
    for (const [name, slots] of Object.entries(record)) {
      const problem = identifierError(name);
      if (problem)
        context.issues.push({
          code: "custom",
          input: name,
          path: [name],
          message: `"${name}" is not a pool name: it ${problem}`,
        });
      const parsed = slotsSchema.safeParse(slots);
      if (!parsed.success)
        context.issues.push({ code: "custom", input: slots, path: [name], message: SLOTS_MESSAGE });
      else pools.set(name, parsed.data);
    }
    return pools;
  });

/** `--pools FILE` (read now: a bad file stops start-up naming its line) plus the `--pool` flags. */
export function poolsFrom(values: { pool: Pools | undefined; pools: string | undefined }): Pools {
  const pools = new Map<string, number>();
  if (values.pools !== undefined)
    for (const [name, slots] of readYamlSettings(values.pools, "--pools", poolsFileSchema))
      pools.set(name, slots);
  for (const [name, slots] of values.pool ?? []) {
    if (pools.has(name))
      throw new UsageError(`--pool: pool "${name}" is also in --pools ${values.pools}; give it once`);
    pools.set(name, slots);
  }
  return pools;
}
