import { z } from "zod";
import { ownedFieldProblems } from "./pod-owned-fields.ts";
import { podProblems } from "./pod-validation.ts";

/**
 * A partial core/v1 Pod given as `--pod-template` or a task's `podOverride`: checked against the
 * Pod schema (what is there; the rest comes from the other pieces) and refused where it sets a
 * field updraft owns. The value is kept exactly as written.
 */
export function podPieceSchema(where: "--pod-template" | "podOverride") {
  return z.record(z.string(), z.unknown()).superRefine((piece, ctx) => {
    for (const problem of [...ownedFieldProblems(piece, where), ...podProblems(piece, "partial")])
      ctx.addIssue({ code: "custom", path: problem.path, message: problem.message });
  });
}

/** A task's `podOverride` (task-schema.ts). */
export const podOverrideSchema = podPieceSchema("podOverride");
