import type { FieldGetters } from "./selectors/field-selector.ts";
import type { ResourceNames } from "./status.ts";
import type { CoreEvent, KubeObject, Pod } from "./types.ts";

/** A kind the fake serves: how it is named in paths and messages, and which fields it can be selected on. */
export interface ResourceDef extends ResourceNames {
  version: string;
  listKind: string;
  namespaced: boolean;
  fields: FieldGetters;
}

const meta: FieldGetters = {
  "metadata.name": (o) => o.metadata.name,
  "metadata.namespace": (o) => o.metadata.namespace,
};

const pod = (o: KubeObject) => o as Pod;
const event = (o: KubeObject) => o as CoreEvent;

export const PODS: ResourceDef = {
  resource: "pods",
  group: "",
  version: "v1",
  kind: "Pod",
  listKind: "PodList",
  namespaced: true,
  fields: {
    ...meta,
    "spec.nodeName": (o) => pod(o).spec.nodeName ?? "",
    "spec.restartPolicy": (o) => pod(o).spec.restartPolicy,
    "spec.schedulerName": (o) => String(pod(o).spec.schedulerName ?? ""),
    "spec.serviceAccountName": (o) => pod(o).spec.serviceAccountName,
    "status.phase": (o) => pod(o).status.phase,
    "status.podIP": (o) => pod(o).status.podIP ?? "",
    "status.nominatedNodeName": () => "",
  },
};

export const EVENTS: ResourceDef = {
  resource: "events",
  group: "",
  version: "v1",
  kind: "Event",
  listKind: "EventList",
  namespaced: true,
  fields: {
    ...meta,
    "involvedObject.kind": (o) => event(o).involvedObject.kind,
    "involvedObject.namespace": (o) => event(o).involvedObject.namespace,
    "involvedObject.name": (o) => event(o).involvedObject.name,
    "involvedObject.uid": (o) => event(o).involvedObject.uid,
    "involvedObject.apiVersion": (o) => event(o).involvedObject.apiVersion,
    "involvedObject.resourceVersion": (o) => event(o).involvedObject.resourceVersion ?? "",
    "involvedObject.fieldPath": (o) => event(o).involvedObject.fieldPath ?? "",
    reason: (o) => event(o).reason,
    reportingComponent: (o) => event(o).reportingComponent,
    source: (o) => event(o).source.component,
    type: (o) => event(o).type,
  },
};

export const LEASES: ResourceDef = {
  resource: "leases",
  group: "coordination.k8s.io",
  version: "v1",
  kind: "Lease",
  listKind: "LeaseList",
  namespaced: true,
  fields: meta,
};

export const NAMESPACES: ResourceDef = {
  resource: "namespaces",
  group: "",
  version: "v1",
  kind: "Namespace",
  listKind: "NamespaceList",
  namespaced: false,
  fields: { "metadata.name": (o) => o.metadata.name, "status.phase": () => "Active" },
};

export const RESOURCES = [PODS, EVENTS, LEASES, NAMESPACES];

export const apiVersionOf = (def: ResourceDef): string =>
  def.group ? `${def.group}/${def.version}` : def.version;

export const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ""}/${name}`;
