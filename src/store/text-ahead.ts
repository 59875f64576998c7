import type { DagState } from "../runs/active-state.ts";
import type { Run } from "../runs/run-model.ts";
import type { GivenText } from "./active-state-file.ts";
import { type EntryShape, shapeOf } from "./entry-shape.ts";

/**
 * A run copy's JSON text and shape made before the run is created (while the scheduler is idle),
 * with `placeholder` where the times of its creation go. When it is created, `withStamp` puts the
 * time in both: the write then takes the text as is instead of serialising the run in the due step.
 */
export interface TextAhead {
  readonly pieces: readonly string[];
  /** Not read-only: withStamp puts the time in it. */
  readonly shape: EntryShape;
  /** The indexes of `shape` that hold the placeholder. */
  readonly stampAt: readonly number[];
}

/** Undefined when `text` holds the placeholder elsewhere than in the run's own fields (a conf's value). */
export function textAhead(entry: Run, text: string, placeholder: string): TextAhead | undefined {
  const pieces = text.split(placeholder);
  const shape = shapeOf(entry);
  const stampAt: number[] = [];
  for (let i = 0; i < shape.length; i++) if (shape[i] === placeholder) stampAt.push(i);
  // A conf is in the shape by identity, not by value: its copies of the placeholder are not here.
  if (pieces.length - 1 !== stampAt.length) return undefined;
  return { pieces, shape, stampAt };
}

/** The text and shape with `stamp` for the placeholder; `ahead` is used up (its shape is reused). */
export function withStamp(ahead: TextAhead, stamp: string): GivenText {
  const shape = ahead.shape;
  for (const at of ahead.stampAt) shape[at] = stamp;
  return { text: ahead.pieces.join(stamp), shape };
}

/** A DAG state's text and shape once its lastScheduledAt is set to `lastScheduledAt`; undefined if its shape is not as expected. */
export function dagTextAhead(dagState: DagState, lastScheduledAt: string): GivenText | undefined {
  const shape = shapeOf(dagState);
  // Keys and values alternate in an object's shape: the key's value follows it.
  const at = shape.indexOf("lastScheduledAt") + 1;
  if (at === 0 || shape[at] !== dagState.lastScheduledAt) return undefined;
  shape[at] = lastScheduledAt;
  return { text: JSON.stringify({ ...dagState, lastScheduledAt }), shape };
}
