/**
 * An entry's shape (a run, a DAG's state, a backfill): its keys and values in order, down through
 * nested arrays and objects (a run's tasks and their tries), with `conf` and `result` by identity.
 * Entries change only by assignment and push (a conf never changes; a result is replaced whole),
 * so an entry with the shape it had when written has the same JSON: the store skips serialising it
 * again. Checking is a walk without allocation, a few times cheaper than the JSON. Tests check
 * every skip against the JSON (UPDRAFT_VERIFY_RUN_SHAPES, see active-state-file.ts).
 */
export type EntryShape = unknown[];

/** Deep enough for a run's tries' fields (run → tasks → task → tries → try → field). */
const DEPTH = 5;
/** Never changed in place: compared by identity, however large. */
const BY_IDENTITY: ReadonlySet<string> = new Set(["conf", "result"]);

export function shapeOf(entry: object): EntryShape {
  const walk = new ShapeWalk([], true);
  walkValue(entry, walk, DEPTH);
  return walk.shape;
}

export function sameShape(entry: object, shape: EntryShape): boolean {
  const walk = new ShapeWalk(shape, false);
  return walkValue(entry, walk, DEPTH) && walk.at === shape.length;
}

/** Records values into `shape`, or compares them with it in order (false at the first difference). */
class ShapeWalk {
  at = 0;
  constructor(
    readonly shape: unknown[],
    readonly recording: boolean,
  ) {}

  is(value: unknown): boolean {
    if (this.recording) {
      this.shape.push(value);
      return true;
    }
    return this.at < this.shape.length && this.shape[this.at++] === value;
  }
}

function walkValue(value: unknown, walk: ShapeWalk, depth: number): boolean {
  if (!walk.is(value)) return false;
  if (typeof value !== "object" || value === null || depth === 0) return true;
  if (Array.isArray(value)) {
    if (!walk.is(value.length)) return false;
    for (const item of value) if (!walkValue(item, walk, depth - 1)) return false;
    return true;
  }
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    if (!walk.is(key)) return false;
    if (BY_IDENTITY.has(key) ? !walk.is(field) : !walkValue(field, walk, depth - 1)) return false;
  }
  // The end of the keys: one added at the end differs here.
  return walk.is(undefined);
}
