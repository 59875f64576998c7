import type { CompiledSource } from "./loader-protocol.ts";

/**
 * The compiled files a loader process has received from the daemon: those sent with its load
 * requests, and those it had to ask for (`ask` sends the request; the answer comes to `add`).
 */
export class ReceivedSources {
  readonly #sources = new Map<string, CompiledSource | null>();
  readonly #waiting = new Map<string, Array<(source: CompiledSource | null) => void>>();

  constructor(private readonly ask: (file: string) => void) {}

  /** Records the compiled file at `file` (null: there is none) and answers whoever waits for it. */
  add(file: string, source: CompiledSource | null): void {
    this.#sources.set(file, source);
    const waiting = this.#waiting.get(file) ?? [];
    this.#waiting.delete(file);
    for (const resolve of waiting) resolve(source);
  }

  /** The compiled file at `file`, asked for once if it has not been received. */
  get(file: string): Promise<CompiledSource | null> {
    const known = this.#sources.get(file);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve) => {
      const waiting = this.#waiting.get(file);
      if (waiting) {
        waiting.push(resolve);
        return;
      }
      this.#waiting.set(file, [resolve]);
      this.ask(file);
    });
  }
}
