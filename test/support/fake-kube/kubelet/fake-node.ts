/** The one node the fake cluster has. */
export interface FakeNode {
  name: string;
  hostIP: string;
  labels: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
  /** What pods may request in total (large by default, so that only a deliberate request does not fit). */
  allocatable: { cpu: string; memory: string; pods: number };
}

export function fakeNode(overrides: Partial<FakeNode> = {}): FakeNode {
  const name = overrides.name ?? "fake-node-1";
  return {
    name,
    hostIP: overrides.hostIP ?? "10.0.0.10",
    labels: {
      "kubernetes.io/hostname": name,
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
      ...overrides.labels,
    },
    taints: overrides.taints ?? [],
    allocatable: overrides.allocatable ?? { cpu: "1000", memory: "4Ti", pods: 100_000 },
  };
}
