/** A state file that cannot be read as JSON. Start-up stops on it; it is never silently replaced. */
export class CorruptStateError extends Error {
  readonly code = "state_corrupt";
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    // Without its journal, active state is state.json alone, not empty.
    const without = file.endsWith("state.journal") ? "state.json alone" : "empty state";
    super(
      `state file ${file} is corrupt (${(cause as Error).message}). updraft will not overwrite it. To recover: stop updraft, move it aside (mv ${file} ${file}.corrupt) to start with ${without}, or restore it from a backup, then start again.`,
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
