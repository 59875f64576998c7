import type { SecretMask } from "../secrets/secret-mask.ts";
import type { Executor, ExecutorEvent } from "./executor.ts";

/**
 * The executor as the scheduler sees it: what a task reports (a failure reason, its published
 * result) is stored in state and served, so every known secret in it is masked first.
 */
export function withMaskedEvents(executor: Executor, mask: SecretMask): Executor {
  const masked = (event: ExecutorEvent): ExecutorEvent => {
    if (event.type === "failed") return { ...event, reason: mask.mask(event.reason) };
    if (event.type === "finished" && event.result.present)
      return { ...event, result: { present: true, value: mask.maskDeep(event.result.value) } };
    return event;
  };
  return {
    name: executor.name,
    ...(executor.notes ? { notes: executor.notes } : {}),
    ...(executor.notesFor ? { notesFor: (dag) => executor.notesFor?.(dag) ?? [] } : {}),
    ...(executor.recover ? { recover: () => executor.recover?.() ?? Promise.resolve() } : {}),
    start: (launch) => executor.start(launch),
    cancel: (key, reason) => executor.cancel(key, reason),
    subscribe: (listener) => executor.subscribe((event) => listener(masked(event))),
    ...(executor.stored ? { stored: (keys) => executor.stored?.(keys) } : {}),
    close: () => executor.close(),
  };
}
