import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadError } from "./load-error.ts";
import type { LoaderMessage, LoadRequest, ModuleLoadResult } from "./loader-protocol.ts";

/** Limits for evaluating DAG modules. */
export interface LoaderLimits {
  /** Per module; a module still evaluating after this is killed and reported. */
  timeoutMs: number;
  /** V8 old-space limit of each loader process, in MB. */
  memoryMb: number;
  /** Loader processes working at once. */
  concurrency: number;
}

export const DEFAULT_LOADER_LIMITS: LoaderLimits = { timeoutMs: 30_000, memoryMb: 512, concurrency: 2 };

const ENTRY = fileURLToPath(new URL("./loader-process.ts", import.meta.url));
const REGISTER_HOOKS = new URL("./register-loader-hooks.mjs", import.meta.url).href;
const TSX = import.meta.resolve("tsx");
// Secrets the daemon holds are none of a DAG module's business.
const WITHHELD_ENV = ["UPDRAFT_GIT_TOKEN", "UPDRAFT_API_TOKEN", "UPDRAFT_WEBHOOK_SECRET"];

/**
 * Evaluates DAG modules in short-lived child processes (a module that hangs, allocates without
 * bound or crashes costs only its own result). Keeps one process warm between loads so a reload
 * after a one-file change does not wait for Node and tsx to start.
 */
export class LoaderPool {
  readonly #limits: LoaderLimits;
  readonly #prewarm: boolean;
  #spare: Promise<LoaderProcess> | undefined;
  #closed = false;

  constructor(limits: Partial<LoaderLimits> = {}, options: { prewarm?: boolean } = {}) {
    this.#limits = { ...DEFAULT_LOADER_LIMITS, ...limits };
    this.#prewarm = options.prewarm ?? false;
  }

  /** Loads `files` (absolute paths under `root`); every file gets a result, errors included. */
  async load(root: string, files: readonly string[]): Promise<ModuleLoadResult[]> {
    if (this.#closed) throw new Error("LoaderPool is closed");
    const queue = [...files];
    const results = new Map<string, ModuleLoadResult>();
    let allDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      allDone = resolve;
    });
    const record = (file: string, result: ModuleLoadResult) => {
      results.set(file, result);
      if (results.size === files.length) allDone();
    };
    if (files.length === 0) allDone();
    const workers = Math.max(1, Math.min(this.#limits.concurrency, files.length));
    const working = Promise.all(Array.from({ length: workers }, () => this.#work(root, queue, record)));
    working.catch(() => undefined);
    // Done when every file has its result: a helper process still starting when the warm one has
    // finished the queue is not waited for (it becomes the next spare).
    await Promise.race([done, working]);
    if (this.#prewarm && !this.#closed && !this.#spare) this.#spare = this.#spawn();
    return files.map((file) => results.get(file) ?? crashResult(root, file, "was not loaded"));
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

  async #work(
    root: string,
    queue: string[],
    record: (file: string, result: ModuleLoadResult) => void,
  ): Promise<void> {
    let loader: LoaderProcess | undefined;
    try {
      while (queue.length > 0) {
        loader ??= await this.#take();
        const file = queue.shift();
        if (file === undefined) break;
        const outcome = await loader.load(root, file, this.#limits.timeoutMs);
        if (outcome.ok) {
          record(file, outcome.result);
          continue;
        }
        record(file, {
          file: relativeTo(root, file),
          dags: [],
          errors: [outcome.error(relativeTo(root, file), this.#limits)],
        });
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

  async #take(): Promise<LoaderProcess> {
    const spare = this.#spare;
    this.#spare = undefined;
    // Start the next spare now, so the next reload does not wait for Node and tsx to start.
    if (this.#prewarm && !this.#closed) this.#spare = this.#spawn();
    if (spare) {
      const process = await spare.catch(() => undefined);
      if (process?.alive) return process;
    }
    return this.#spawn();
  }

  #spawn(): Promise<LoaderProcess> {
    return LoaderProcess.start(this.#limits.memoryMb);
  }
}

type LoadOutcome =
  | { ok: true; result: ModuleLoadResult }
  | { ok: false; error: (file: string, limits: LoaderLimits) => LoadError };

/** One forked loader process and its request/response channel. */
class LoaderProcess {
  #nextId = 1;
  #stderrTail = "";
  #exited = false;
  #onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString()).slice(-4000);
    });
    child.on("exit", (code, signal) => {
      this.#exited = true;
      this.#onExit?.(code, signal);
    });
  }

  static start(memoryMb: number): Promise<LoaderProcess> {
    const env = { ...process.env };
    for (const name of WITHHELD_ENV) delete env[name];
    const child = fork(ENTRY, [], {
      // The updraft hooks go first so tsx's resolve runs on top of them: tsx then sees DAG files
      // as ES modules (not CommonJS, as it would in a folder without package.json) and helpers
      // keep ESM semantics, `updraft` imports and source-mapped stack frames.
      execArgv: [`--max-old-space-size=${memoryMb}`, "--import", REGISTER_HOOKS, "--import", TSX],
      env,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    const loader = new LoaderProcess(child);
    return new Promise((resolve, reject) => {
      const onMessage = (message: LoaderMessage) => {
        if (message.type !== "ready") return;
        child.off("message", onMessage);
        resolve(loader);
      };
      child.on("message", onMessage);
      child.once("exit", (code) =>
        reject(new Error(`DAG loader process exited during start-up (code ${code}): ${loader.#stderrTail}`)),
      );
      child.once("error", reject);
    });
  }

  get alive(): boolean {
    return !this.#exited;
  }

  /** Whether any module was loaded in this process (then it cannot serve another load). */
  get used(): boolean {
    return this.#nextId > 1;
  }

  load(root: string, file: string, timeoutMs: number): Promise<LoadOutcome> {
    const requestId = this.#nextId++;
    return new Promise((resolve) => {
      const finish = (outcome: LoadOutcome) => {
        clearTimeout(timer);
        this.child.off("message", onMessage);
        this.#onExit = undefined;
        resolve(outcome);
      };
      const onMessage = (message: LoaderMessage) => {
        if (message.type === "loaded" && message.requestId === requestId)
          finish({ ok: true, result: message.result });
      };
      const timer = setTimeout(() => {
        finish({
          ok: false,
          error: (relative, limits) => ({
            file: relative,
            line: null,
            column: null,
            kind: "timeout",
            message: `module did not finish loading within ${formatMs(limits.timeoutMs)} (is there an endless loop or a promise that never settles at top level?)`,
          }),
        });
      }, timeoutMs);
      this.#onExit = (code, signal) => {
        const stderr = this.#stderrTail;
        finish({ ok: false, error: (relative, limits) => exitError(relative, limits, code, signal, stderr) });
      };
      if (this.#exited) {
        this.#onExit(null, null);
        return;
      }
      this.child.on("message", onMessage);
      this.child.send({ type: "load", requestId, root, file } satisfies LoadRequest);
    });
  }

  kill(): void {
    if (!this.#exited) this.child.kill("SIGKILL");
  }
}

function exitError(
  file: string,
  limits: LoaderLimits,
  code: number | null,
  signal: string | null,
  stderr: string,
): LoadError {
  if (/heap out of memory|Reached heap limit|allocation failed/i.test(stderr)) {
    return {
      file,
      line: null,
      column: null,
      kind: "memory",
      message: `module exceeded the loader memory limit of ${limits.memoryMb} MB while loading`,
    };
  }
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  const lastLine = stderr.trim().split("\n").pop() ?? "";
  return {
    file,
    line: null,
    column: null,
    kind: "crash",
    message: `loader process died while loading the module (${how})${lastLine ? `: ${lastLine}` : ""}`,
  };
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

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
