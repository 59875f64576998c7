import { type ChildProcess, fork } from "node:child_process";
import path from "node:path";
import type { LoadError } from "./load-error.ts";
import { checkLoaderMessage, forgedMessageError } from "./loader-message-check.ts";
import type { LoaderLimits, LoadTimings } from "./loader-pool.ts";
import type { CompiledSource, LoaderRequest, ModuleLoadResult, SourceFile } from "./loader-protocol.ts";
import { loaderRuntime } from "./loader-runtime.ts";
import { residentBytes, watchResidentMemory } from "./process-memory.ts";

// Secrets the daemon holds are none of a DAG module's business.
/**
 * The daemon's own settings never reach DAG code: `UPDRAFT_*` holds the git token, the API token,
 * the webhook secret, and `UPDRAFT_REPO` may carry credentials in its URL. DAG modules still see the
 * rest (the seed DAG chooses its image by the ENV variable). This keeps secrets out of careless DAG code only: DAG
 * code is trusted code running as the daemon's user.
 */
const isWithheld = (name: string) => name.startsWith("UPDRAFT_");

/** How a batch ended: every module answered, or module `index` timed out or took the process down. */
export type BatchOutcome =
  { ok: true } | { ok: false; index: number; error: (file: string, limits: LoaderLimits) => LoadError };

/** One forked loader process and its request/response channel (the daemon's side of it). */
export class LoaderChild {
  #stderrTail = "";
  #exited = false;
  #used = false;
  #onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | undefined;
  /** RSS of the idle process (Node itself): `--load-memory` is what modules may add to it. */
  #baselineBytes = 0;
  /** Files whose compiled source this process has already been sent. */
  readonly #sent = new Set<string>();
  /** Modules (relative paths) this process has answered for, in any batch of its load. */
  readonly #answered = new Set<string>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly memoryMb: number,
  ) {
    child.stderr?.on("data", (chunk: Buffer) => {
      this.#stderrTail = (this.#stderrTail + chunk.toString()).slice(-4000);
    });
    child.on("exit", (code, signal) => {
      this.#exited = true;
      // Whatever the module started goes with its loader.
      this.#killGroup();
      this.#onExit?.(code, signal);
    });
  }

  static async start(memoryMb: number): Promise<LoaderChild> {
    const runtime = await loaderRuntime();
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (isWithheld(name)) delete env[name];
    const child = fork(runtime, [], {
      execArgv: [
        `--max-old-space-size=${memoryMb}`,
        // DAG modules are node:vm modules (see dag-module-graph.ts); packages they import are
        // resolved relative to the importing file.
        "--experimental-vm-modules",
        "--experimental-import-meta-resolve",
        "--disable-warning=ExperimentalWarning",
      ],
      env,
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      // Its own process group, so that killing it kills what a module started too.
      detached: true,
    });
    const loader = new LoaderChild(child, memoryMb);
    return new Promise((resolve, reject) => {
      const onMessage = (raw: unknown) => {
        if (checkLoaderMessage(raw).type !== "ready") return;
        child.off("message", onMessage);
        void residentBytes(child.pid ?? 0).then((bytes) => {
          loader.#baselineBytes = bytes ?? 0;
          resolve(loader);
        });
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
    return this.#used;
  }

  /**
   * Evaluates `files` in order, with `sources` (those not sent before) to go with them; `onResult`
   * gets each module's result as it comes. Each module has `timeoutMs` from the previous one's
   * result. Files the process asks for are looked up with `sourceOf`.
   */
  loadBatch(
    request: {
      root: string;
      files: readonly string[];
      sources: readonly SourceFile[];
      timeoutMs: number;
      sourceOf: (file: string) => Promise<CompiledSource | null>;
      /** Where the time spent checking answers is added up. */
      timings?: LoadTimings;
    },
    onResult: (index: number, result: ModuleLoadResult) => void,
  ): Promise<BatchOutcome> {
    this.#used = true;
    const { files, timeoutMs } = request;
    const relative = (file: string | undefined) =>
      path
        .relative(request.root, file ?? "")
        .split(path.sep)
        .join("/");
    let answered = 0;
    /** What the module being evaluated sent on the channel itself, if anything. */
    let forged: string | undefined;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let stopWatch = () => {};
      const finish = (outcome: BatchOutcome) => {
        clearTimeout(timer);
        stopWatch();
        this.child.off("message", onMessage);
        this.#onExit = undefined;
        resolve(outcome);
      };
      const startClock = () => {
        clearTimeout(timer);
        timer = setTimeout(
          () => finish({ ok: false, index: answered, error: (file, limits) => timeoutError(file, limits) }),
          timeoutMs,
        );
      };
      const onMessage = (raw: unknown) => {
        const checkStarted = performance.now();
        const message = checkLoaderMessage(raw);
        if (request.timings) {
          request.timings.messageCheckMs += performance.now() - checkStarted;
          request.timings.messages += 1;
        }
        // Messages arrive in order, and a module's own answer comes only after it was evaluated:
        // whatever else arrives meanwhile was sent by that module, which is blamed for it.
        if (message.type === "invalid") {
          forged ??= message.problem;
          return;
        }
        if (message.type === "need") {
          void request
            .sourceOf(message.path)
            .then((source) => this.#send({ type: "source", path: message.path, source }))
            // A compiler that cannot answer (its service stopped): the module reports the import as missing.
            .catch(() => this.#send({ type: "source", path: message.path, source: null }));
          return;
        }
        if (message.type !== "loaded") return;
        const expected = relative(files[answered]);
        if (message.result.file !== expected) {
          // A second answer for a module already answered (in this batch or an earlier one: a module
          // that answered for itself) changes nothing; one for another module was sent by the module
          // being evaluated.
          if (!this.#answered.has(message.result.file))
            forged ??= `an answer for "${message.result.file}" while "${expected}" was loading`;
          return;
        }
        this.#answered.add(expected);
        onResult(
          answered,
          forged === undefined
            ? message.result
            : { file: expected, dags: [], errors: [forgedMessageError(expected, forged)] },
        );
        forged = undefined;
        answered += 1;
        if (answered === files.length) finish({ ok: true });
        else startClock();
      };
      this.#onExit = (code, signal) => {
        const stderr = this.#stderrTail;
        finish({
          ok: false,
          index: answered,
          error: (file, limits) => exitError(file, limits, code, signal, stderr),
        });
      };
      if (this.#exited) {
        this.#onExit(null, null);
        return;
      }
      this.child.on("message", onMessage);
      // --max-old-space-size bounds the JS heap only; Buffers and native memory count here.
      if (this.child.pid !== undefined) {
        const limit = this.#baselineBytes + this.memoryMb * 1024 * 1024;
        stopWatch = watchResidentMemory(this.child.pid, limit, () => {
          this.kill();
          finish({ ok: false, index: answered, error: (file, limits) => memoryError(file, limits) });
        });
      }
      const sources = request.sources.filter((source) => !this.#sent.has(source.path));
      for (const source of sources) this.#sent.add(source.path);
      startClock();
      this.#send({ type: "load", root: request.root, files: [...files], sources });
    });
  }

  kill(): void {
    if (!this.#exited) this.child.kill("SIGKILL");
    this.#killGroup();
  }

  #killGroup(): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // The group is empty already.
    }
  }

  #send(message: LoaderRequest): void {
    // A process that died meanwhile is reported by its exit handler.
    if (!this.#exited && this.child.connected) this.child.send(message);
  }
}

function timeoutError(file: string, limits: LoaderLimits): LoadError {
  return {
    file,
    line: null,
    column: null,
    kind: "timeout",
    message: `module did not finish loading within ${formatMs(limits.timeoutMs)} (is there an endless loop or a promise that never settles at top level?)`,
  };
}

function exitError(
  file: string,
  limits: LoaderLimits,
  code: number | null,
  signal: string | null,
  stderr: string,
): LoadError {
  if (/heap out of memory|Reached heap limit|allocation failed/i.test(stderr))
    return memoryError(file, limits);
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

function memoryError(file: string, limits: LoaderLimits): LoadError {
  return {
    file,
    line: null,
    column: null,
    kind: "memory",
    message: `module exceeded the loader memory limit of ${limits.memoryMb} MB while loading`,
  };
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
