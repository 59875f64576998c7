/** A state file that cannot be read as JSON. Start-up stops on it; it is never silently replaced. */
export class CorruptStateError extends Error {
  readonly code = "state_corrupt";
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      `state file ${file} is corrupt (${(cause as Error).message}). updraft will not overwrite it. To recover: stop updraft, move it aside (mv ${file} ${file}.corrupt) to start with empty state, or restore it from a backup, then start again.`,
      { cause },
    );
  }
}

/**
 * How data in memory becomes what the file holds and back: e.g. large confs written to files of
 * their own and referred to. `decode` completes data read from the file, in place.
 */
export interface StateCodec<T> {
  encode(data: T): Promise<T>;
  decode(data: T): Promise<void>;
}
