import path from "node:path";
import { LoadSources } from "./load-sources.ts";
import { LoaderChild } from "./loader-child.ts";
import type { ModuleLoadResult, SourceFile } from "./loader-protocol.ts";
import { SourceCompiler } from "./source-compiler.ts";

/** Limits for evaluating DAG modules. */
export interface LoaderLimits {
  /** Per module; a module still evaluating after this is killed and reported. */
  timeoutMs: number;
  /** V8 old-space limit of each loader process, in MB. */
  memoryMb: number;
  /** Loader processes working at once. */
  concurrency: number;
}

/** A check of a module's DAGs that needs the daemon's settings (e.g. each task's final Pod). */
export type ResultCheck = (result: ModuleLoadResult) => ModuleLoadResult;

/** Daemon-side time of one load, for the load bench's per-stage table. */
export interface LoadTimings {
  /** Checking the loader processes' answers and validating their DAGs (zod). */
  messageCheckMs: number;
  /** The pool's ResultCheck (the daemon's check of each task's final Pod). */
  resultCheckMs: number;
  /** Answers received. */
  messages: number;
}

export const DEFAULT_LOADER_LIMITS: LoaderLimits = { timeoutMs: 30_000, memoryMb: 512, concurrency: 2 };

/**
 * Modules a load must have per loader process it starts: fewer are done sooner by the warm
 * process alone than by waiting for another to start.
 */
const MODULES_PER_PROCESS = 50;
/** Modules sent in one request: enough to keep a process busy between round trips, few enough to share. */
const BATCH_MAX = 32;
/**
 * Modules whose sources are compiled ahead of the loader processes: enough to keep them fed, and a
 * bound on what a load holds, however many modules the repository has.
 */
export const COMPILE_AHEAD = 256;

/**
 * Evaluates DAG modules in short-lived child processes (a module that hangs, allocates without
 * bound or crashes costs only its own result), from sources this process compiles once. Keeps one
 * process warm between loads so a reload after a one-file change does not wait for Node to start.
 */
export class LoaderPool {
  readonly #limits: LoaderLimits;
  readonly #prewarm: boolean;
  readonly #check: ResultCheck;
  readonly #compiler = new SourceCompiler();
  #spare: Promise<LoaderChild> | undefined;
  #closed = false;
  #lastTimings: LoadTimings = { messageCheckMs: 0, resultCheckMs: 0, messages: 0 };

  constructor(
    limits: Partial<LoaderLimits> = {},
    options: { prewarm?: boolean; checkResult?: ResultCheck } = {},
  ) {
    this.#limits = { ...DEFAULT_LOADER_LIMITS, ...limits };
    this.#prewarm = options.prewarm ?? false;
    this.#check = options.checkResult ?? ((result) => result);
  }

  /** Loads `files` (absolute paths under `root`); every file gets a result, errors included. */
  async load(root: string, files: readonly string[]): Promise<ModuleLoadResult[]> {
    if (this.#closed) throw new Error("LoaderPool is closed");
    const timings: LoadTimings = { messageCheckMs: 0, resultCheckMs: 0, messages: 0 };
    this.#lastTimings = timings;
    const sources = new LoadSources(this.#compiler);
    const queue = [...files];
    const results = new Map<string, ModuleLoadResult>();
    let allDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    /** What the check threw, if it did: the load fails with it once every result is in, as before. */
    let checkFailed: { error: unknown } | undefined;
    // Each result is checked as it arrives, while the loader processes work on the next modules,
    // rather than all of them after the last one.
    const record = (file: string, result: ModuleLoadResult) => {
      const checkStarted = performance.now();
      try {
        results.set(file, this.#check(result));
      } catch (error) {
        checkFailed ??= { error };
        results.set(file, result);
      }
      timings.resultCheckMs += performance.now() - checkStarted;
      if (results.size === files.length) allDone();
    };
    if (files.length === 0) allDone();
    const workers = Math.max(
      1,
      Math.min(this.#limits.concurrency, files.length, Math.ceil(files.length / MODULES_PER_PROCESS)),
    );
    const job: LoadJob = { root, queue, workers, sources, closures: new Map(), record, timings };
    // Compiling starts at once, while loader processes start.
    compileAhead(job);
    const working = Promise.all(Array.from({ length: workers }, () => this.#work(job)));
    working.catch(() => undefined);
    // Done when every file has its result: a process still starting when another has finished the
    // queue is not waited for (it becomes the next spare).
    await Promise.race([done, working]);
    if (this.#prewarm && !this.#closed && !this.#spare) this.#spare = this.#spawn();
    if (checkFailed) throw checkFailed.error;
    return files.map((file) => results.get(file) ?? crashResult(root, file, "was not loaded"));
  }

  /** Daemon-side timings of the most recent load. */
  get lastTimings(): Readonly<LoadTimings> {
    return this.#lastTimings;
  }

  /** Starts the warm process now rather than at the first load (prewarm pools only). */
  warm(): void {
    if (this.#prewarm && !this.#closed && !this.#spare) this.#spare = this.#spawn();
  }

  /** Stops the warm process; further loads are refused. */
  async close(): Promise<void> {
    this.#closed = true;
    const spare = this.#spare;
    this.#spare = undefined;
    (await spare?.catch(() => undefined))?.kill();
  }

  async #work(job: LoadJob): Promise<void> {
    const { root, queue } = job;
    let loader: LoaderChild | undefined;
    try {
      while (queue.length > 0) {
        loader ??= await this.#take(job.workers === 1);
        const size = Math.max(1, Math.min(BATCH_MAX, Math.ceil(queue.length / (job.workers * 4))));
        const files = queue.splice(0, size);
        if (files.length === 0) break;
        const closures = await Promise.all(files.map((file) => closureOf(job, file)));
        for (const file of files) job.closures.delete(file);
        compileAhead(job);
        // Sent: the modules' own sources need not stay (helpers stay, shared by later modules).
        for (const file of files) job.sources.release(file);
        const outcome = await loader.loadBatch(
          {
            root,
            files,
            sources: closures.flat(),
            timeoutMs: this.#limits.timeoutMs,
            sourceOf: (file) => job.sources.get(file),
            timings: job.timings,
          },
          (index, result) => job.record(files[index] as string, result),
        );
        if (outcome.ok) continue;
        const failed = files[outcome.index] as string;
        const relative = relativeTo(root, failed);
        job.record(failed, { file: relative, dags: [], errors: [outcome.error(relative, this.#limits)] });
        // The modules after it go back to the front of the queue, for a fresh process.
        queue.unshift(...files.slice(outcome.index + 1));
        loader.kill();
        loader = undefined;
      }
      // Started but never used (the queue ran dry meanwhile): still fresh, so keep it as the spare.
      if (loader && !loader.used && this.#prewarm && !this.#closed && !this.#spare) {
        this.#spare = Promise.resolve(loader);
        loader = undefined;
      }
    } finally {
      loader?.kill();
    }
  }

  /**
   * The spare if there is one, else a new process. With `replaceSpare`, the next spare starts at
   * once, so that the next reload does not wait for Node to start; a load using several processes
   * leaves that to its end rather than have one more process compete with it for the CPU.
   */
  async #take(replaceSpare: boolean): Promise<LoaderChild> {
    const spare = this.#spare;
    this.#spare = undefined;
    if (replaceSpare && this.#prewarm && !this.#closed) this.#spare = this.#spawn();
    if (spare) {
      const process = await spare.catch(() => undefined);
      if (process?.alive) return process;
    }
    return this.#spawn();
  }

  #spawn(): Promise<LoaderChild> {
    const started = LoaderChild.start(this.#limits.memoryMb);
    // A spare may fail to start (killed, out of memory) long before anyone takes it: that must not
    // be an unhandled rejection (it would end the daemon). Whoever awaits it still sees the error.
    started.catch(() => undefined);
    return started;
  }
}

/** One pool.load call, shared by its workers. */
interface LoadJob {
  root: string;
  queue: string[];
  workers: number;
  sources: LoadSources;
  /** Closures started ahead of their batch (at most COMPILE_AHEAD). */
  closures: Map<string, Promise<SourceFile[]>>;
  record: (file: string, result: ModuleLoadResult) => void;
  timings: LoadTimings;
}

function closureOf(job: LoadJob, file: string): Promise<SourceFile[]> {
  let closure = job.closures.get(file);
  if (!closure) {
    closure = job.sources.closure(file);
    // Awaited when its batch is sent; until then a failure must not be an unhandled rejection.
    closure.catch(() => undefined);
    job.closures.set(file, closure);
  }
  return closure;
}

/** Starts compiling the next modules of the queue, up to COMPILE_AHEAD not yet sent. */
function compileAhead(job: LoadJob): void {
  for (const file of job.queue) {
    if (job.closures.size >= COMPILE_AHEAD) return;
    closureOf(job, file);
  }
}

function crashResult(root: string, file: string, why: string): ModuleLoadResult {
  const relative = relativeTo(root, file);
  return {
    file: relative,
    dags: [],
    errors: [{ file: relative, line: null, column: null, kind: "crash", message: why }],
  };
}

function relativeTo(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}
