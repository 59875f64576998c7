import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadDagSet } from "../../src/dags/dag-set-loader.ts";
import type { Daemon, PoolFactory } from "./daemon-loads.ts";
import type { DagRepo } from "./dag-repo.ts";
import { line, mb, median, ms, timed } from "./figures.ts";
import { runImportBaseline } from "./import-baseline.ts";

/** Time given to a pool's spare to start before a probe that must find it ready. */
const SPARE_WAIT_MS = 2_500;

/**
 * Prices the parts of a load one by one (discovery, loader start-up, one module, validation, IPC)
 * and prints them. Returns the loader start-up time, so that callers know how long a spare needs.
 */
export async function loadBreakdown(
  repo: DagRepo,
  daemon: Daemon,
  newPool: PoolFactory,
  options: { workDir: string; tmpdir: string },
): Promise<{ startupMs: number }> {
  const noChange: number[] = [];
  for (let repetition = 0; repetition < 5; repetition += 1) {
    noChange.push(
      (await timed(() => loadDagSet(daemon.pool, repo.root, { previous: daemon.set, changedFiles: [] }))).ms,
    );
  }
  line(
    `discovery + import scan of ${daemon.set.scans.size} files (reload, 0 changed)`,
    `median ${ms(median(noChange))}`,
  );

  const oneFile = path.join(repo.root, repo.dags[1]?.file ?? "");
  const withSpare: number[] = [];
  for (let repetition = 0; repetition < 3; repetition += 1) {
    await sleep(SPARE_WAIT_MS);
    withSpare.push((await timed(() => daemon.pool.load(repo.root, [oneFile]))).ms);
  }
  const unwarmed = newPool(1, false);
  const withStart: number[] = [];
  for (let repetition = 0; repetition < 3; repetition += 1) {
    withStart.push((await timed(() => unwarmed.load(repo.root, [oneFile]))).ms);
  }
  await unwarmed.close();
  const startupMs = Math.max(0, median(withStart) - median(withSpare));
  line("1 module in the warm spare (pool.load)", `median ${ms(median(withSpare))}`);
  line("1 module in a new loader (fork, runtime, ready + module)", `median ${ms(median(withStart))}`);
  line("  => loader process start-up", `~${ms(startupMs)}`);

  const importers = repo.hotImporters.map((dag) => path.join(repo.root, dag.file));
  const single = newPool(1, true);
  await sleep(Math.max(SPARE_WAIT_MS, 3 * startupMs));
  const inSpare = await timed(() => single.load(repo.root, importers));
  await single.close();
  line(`${importers.length} modules in the warm spare alone (concurrency 1)`, ms(inSpare.ms));

  const files = repo.dags.map((dag) => path.join(repo.root, dag.file));
  const validation = await runImportBaseline(files, { ...options, validate: true });
  const validateMs = validation.validateMs ?? Number.NaN;
  line(
    "import loop, per module (warm tsx cache, one process)",
    `${(validation.importMs / validation.modules).toFixed(2)} ms`,
  );
  line(
    `zod validation of ${validation.valid} DAGs, one process`,
    `${ms(validateMs)} (${(validateMs / validation.modules).toFixed(2)} ms per DAG)`,
  );

  const results = [...daemon.set.modules.values()];
  const encoded = await timed(async () => JSON.parse(JSON.stringify(results)) as unknown);
  line(
    "IPC payload of a full load (JSON encode + decode, this process)",
    `${mb(JSON.stringify(results).length)}, ${ms(encoded.ms)}`,
  );
  return { startupMs };
}
