import { durableStateWriter, type StateWriter } from "../../src/store/durable-write.ts";

/** The daemon's real state writer, until told to fail every write with an errno code (ENOSPC, EIO). */
export class FailingStateWriter implements StateWriter {
  #failure: string | undefined;
  #only: (file: string) => boolean = () => true;
  /** Writes attempted while failing. */
  refused = 0;

  /** Fails writes with `code` from now on (only those of files `only` accepts, if given). */
  fail(code: string, only: (file: string) => boolean = () => true): void {
    this.#failure = code;
    this.#only = only;
  }

  succeed(): void {
    this.#failure = undefined;
  }

  async write(file: string, text: string): Promise<void> {
    if (this.#failure && this.#only(file)) {
      this.refused++;
      throw Object.assign(new Error(`${this.#failure}: write ${file} refused by the test`), {
        code: this.#failure,
      });
    }
    await durableStateWriter.write(file, text);
  }
}
