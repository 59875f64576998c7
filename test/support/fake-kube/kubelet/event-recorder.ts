import { EVENTS } from "../resources.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { nowNanos, rfc3339 } from "../time.ts";
import type { CoreEvent, Pod } from "../types.ts";

export interface EventInput {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  /** `spec.containers{name}` for container events. */
  fieldPath?: string;
  component?: "kubelet" | "default-scheduler";
}

/** Writes core/v1 Events about pods, folding repeats into one event with a rising `count` as the kubelet does. */
export class EventRecorder {
  readonly #seen = new Map<string, string>();

  constructor(
    private readonly store: ObjectStore,
    private readonly nodeName: string,
  ) {}

  record(pod: Pod, input: EventInput): void {
    const namespace = pod.metadata.namespace ?? "default";
    const component = input.component ?? "kubelet";
    const key = [
      pod.metadata.uid,
      input.reason,
      input.message,
      input.fieldPath ?? "",
      component,
      input.type,
    ].join("\0");
    const now = rfc3339();
    const existing = this.#seen.get(key);
    if (existing && this.store.get(EVENTS, namespace, existing)) {
      this.store.mutate(EVENTS, namespace, existing, (e) => {
        const event = e as CoreEvent;
        event.count += 1;
        event.lastTimestamp = now;
      });
      return;
    }
    // The kubelet names events `<object>.<unix nanos in hex>`, so a list (sorted by name) is chronological.
    const name = `${pod.metadata.name}.${nowNanos().toString(16)}`;
    const host = component === "kubelet" ? { host: this.nodeName } : {};
    const event: CoreEvent = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace },
      involvedObject: {
        kind: "Pod",
        namespace,
        name: pod.metadata.name ?? "",
        uid: pod.metadata.uid ?? "",
        apiVersion: "v1",
        resourceVersion: pod.metadata.resourceVersion ?? "",
        ...(input.fieldPath ? { fieldPath: input.fieldPath } : {}),
      },
      reason: input.reason,
      message: input.message,
      source: { component, ...host },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: input.type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: component === "kubelet" ? this.nodeName : "",
    };
    this.store.create(EVENTS, event);
    this.#seen.set(key, name);
  }
}
