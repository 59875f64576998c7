/** Runs the jobs given to it one after another (a lock without a holder to forget: `run` releases). */
export class OneAtATime {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(job, job);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
