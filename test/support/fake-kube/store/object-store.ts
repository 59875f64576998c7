import { randomUUID } from "node:crypto";
import { apiVersionOf, keyOf, type ResourceDef } from "../resources.ts";
import { alreadyExists, notFound } from "../status.ts";
import { rfc3339 } from "../time.ts";
import type { KubeObject } from "../types.ts";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";

/** A change to one object, as watches replay it; `previous` lets a filtered watch turn it into ADDED/DELETED. */
export interface StoreEvent {
  type: EventType;
  def: ResourceDef;
  object: KubeObject;
  previous?: KubeObject;
  rv: number;
}

interface Collection {
  objects: Map<string, KubeObject>;
  history: StoreEvent[];
  /** Events at or below this resourceVersion are gone: a watch from before it gets 410 Expired. */
  compactedRv: number;
}

const copy = <T>(value: T): T => structuredClone(value);

/**
 * etcd and the watch cache in one: objects per kind, one global resourceVersion counter, and a bounded
 * history of changes per kind. Everything it hands out is a copy.
 */
export class ObjectStore {
  #rv = 0;
  readonly #collections = new Map<ResourceDef, Collection>();
  readonly #listeners = new Set<(event: StoreEvent) => void>();
  #compactedAll = 0;
  /** Changes waiting for listeners: a listener that writes must not overtake the change it reacts to. */
  readonly #pending: StoreEvent[] = [];
  #dispatching = false;

  constructor(private readonly historySize: number) {}

  get resourceVersion(): number {
    return this.#rv;
  }

  #collection(def: ResourceDef): Collection {
    let c = this.#collections.get(def);
    if (!c) {
      c = { objects: new Map(), history: [], compactedRv: this.#compactedAll };
      this.#collections.set(def, c);
    }
    return c;
  }

  /** Calls `listener` synchronously for every change, in resourceVersion order. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.#collection(def).objects.get(keyOf(namespace, name));
    return found && copy(found);
  }

  mustGet(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const found = this.get(def, namespace, name);
    if (!found) throw notFound(def, name);
    return found;
  }

  /** Objects of a kind (in one namespace, or all), sorted by namespace/name like etcd keys. */
  list(def: ResourceDef, namespace?: string): KubeObject[] {
    return [...this.#collection(def).objects.entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, o]) => copy(o));
  }

  /** The stored objects themselves, uncopied, for hot read-only scans (the caller must not change them). */
  peek(def: ResourceDef): Iterable<Readonly<KubeObject>> {
    return this.#collection(def).objects.values();
  }

  create(def: ResourceDef, input: KubeObject): KubeObject {
    const c = this.#collection(def);
    const name = input.metadata.name ?? "";
    const key = keyOf(input.metadata.namespace, name);
    if (c.objects.has(key)) throw alreadyExists(def, name);
    const object: KubeObject = {
      ...copy(input),
      apiVersion: apiVersionOf(def),
      kind: def.kind,
      metadata: {
        ...copy(input.metadata),
        uid: randomUUID(),
        resourceVersion: String(++this.#rv),
        creationTimestamp: rfc3339(),
      },
    };
    c.objects.set(key, object);
    this.#emit({ type: "ADDED", def, object, rv: this.#rv });
    return copy(object);
  }

  /** Replaces an existing object; the caller has checked preconditions. */
  update(def: ResourceDef, next: KubeObject): KubeObject {
    const c = this.#collection(def);
    const key = keyOf(next.metadata.namespace, next.metadata.name ?? "");
    const previous = c.objects.get(key);
    if (!previous) throw notFound(def, next.metadata.name ?? "");
    const object = copy(next);
    object.metadata.resourceVersion = String(++this.#rv);
    c.objects.set(key, object);
    this.#emit({ type: "MODIFIED", def, object, previous, rv: this.#rv });
    return copy(object);
  }

  /** Reads, changes and writes one object in a single step (no other write can come between). */
  mutate(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    change: (o: KubeObject) => void,
  ): KubeObject {
    const object = this.mustGet(def, namespace, name);
    change(object);
    return this.update(def, object);
  }

  remove(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const c = this.#collection(def);
    const key = keyOf(namespace, name);
    const previous = c.objects.get(key);
    if (!previous) throw notFound(def, name);
    c.objects.delete(key);
    const object = copy(previous);
    object.metadata.resourceVersion = String(++this.#rv);
    this.#emit({ type: "DELETED", def, object, previous, rv: this.#rv });
    return copy(object);
  }

  /** Changes of a kind after `rv`, or undefined when some of them are no longer kept. */
  eventsSince(def: ResourceDef, rv: number): StoreEvent[] | undefined {
    const c = this.#collection(def);
    if (rv < c.compactedRv) return undefined;
    return c.history.filter((e) => e.rv > rv);
  }

  /** The oldest resourceVersion a watch of this kind can still start from. */
  compactedRv(def: ResourceDef): number {
    return this.#collection(def).compactedRv;
  }

  /** Forgets every change so far, like an etcd compaction: older resourceVersions get 410. */
  compact(): void {
    this.#compactedAll = this.#rv;
    for (const c of this.#collections.values()) {
      c.history = [];
      c.compactedRv = this.#rv;
    }
  }

  #emit(event: StoreEvent): void {
    const c = this.#collection(event.def);
    c.history.push(event);
    while (c.history.length > this.historySize) {
      const dropped = c.history.shift();
      if (dropped) c.compactedRv = dropped.rv;
    }
    this.#pending.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next = this.#pending.shift(); next; next = this.#pending.shift()) {
        for (const listener of [...this.#listeners]) {
          try {
            listener(next);
          } catch (error) {
            console.error("fake-kube: a store listener failed", error);
          }
        }
      }
    } finally {
      this.#dispatching = false;
    }
  }
}
