import picomatch from "picomatch";

/**
 * Which DAGs a grant applies to, by the DAG's file path relative to the DAGs folder (so moving a
 * file in Git moves its ownership). Globs as in .gitignore-free shells: `team-a/**`, `*.ts`.
 */
export interface DagScope {
  /** The globs as written (shown by `/api/me`). */
  readonly globs: readonly string[];
  matches(dagFile: string): boolean;
}

export function dagScope(globs: readonly string[]): DagScope {
  const matchers = globs.map((glob) => picomatch(glob, { dot: true }));
  return {
    globs,
    matches: (dagFile) => matchers.some((matches) => matches(dagFile)),
  };
}
