// Issue 14: the fake validates the new Pod fields like kube-apiserver and enforces Pod Security
// "restricted" on a labelled namespace, answering the official client as a cluster would.
import type { V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { apiError, podOf, useFakeKube } from "./fake-kube-fixture.ts";

const fake = useFakeKube({ namespaces: ["default"] });

const RESTRICTED = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

async function restrictedNamespace(name: string, version?: string): Promise<void> {
  await fake.core.createNamespace({
    body: {
      metadata: {
        name,
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          ...(version ? { "pod-security.kubernetes.io/enforce-version": version } : {}),
        },
      },
    },
  });
}

describe("Pod Security Admission restricted", () => {
  it("refuses a plain Pod with the real 403 message, naming every violation", async () => {
    await restrictedNamespace("secure");
    const { code, status } = await apiError(
      fake.core.createNamespacedPod({ namespace: "secure", body: podOf("plain", ["true"]) }),
    );
    expect(code).toBe(403);
    expect(status).toMatchObject({
      reason: "Forbidden",
      details: { name: "plain", kind: "pods" },
      message:
        'pods "plain" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "base" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "base" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "base" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "base" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    });
    expect(fake.kube.pod("secure", "plain")).toBeUndefined();
  });

  it("counts init containers and native sidecars, names them in order, and reads the enforce-version", async () => {
    await restrictedNamespace("secure", "v1.30");
    const pod = podOf("mixed", ["true"]);
    pod.spec!.containers[0]!.securityContext = RESTRICTED;
    pod.spec!.initContainers = [
      { name: "migrate", image: "busybox:1.36", securityContext: RESTRICTED },
      { name: "proxy", image: "busybox:1.36", restartPolicy: "Always" },
    ];
    const { status } = await apiError(fake.core.createNamespacedPod({ namespace: "secure", body: pod }));
    expect(status.message).toBe(
      'pods "mixed" is forbidden: violates PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false (container "proxy" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "proxy" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "proxy" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "proxy" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    );
  });

  it("admits a Pod whose containers are restricted (seccomp and runAsNonRoot may come from the Pod)", async () => {
    await restrictedNamespace("secure");
    const pod = podOf("hardened", ["true"]);
    pod.spec!.securityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
    pod.spec!.containers[0]!.securityContext = {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
    };
    const created = await fake.core.createNamespacedPod({ namespace: "secure", body: pod });
    expect(created.metadata?.name).toBe("hardened");
  });

  it("leaves namespaces without the label alone", async () => {
    const created = await fake.core.createNamespacedPod({
      namespace: "default",
      body: podOf("plain", ["true"]),
    });
    expect(created.metadata?.name).toBe("plain");
  });
});

describe("validation of the new Pod fields", () => {
  const invalid = async (body: V1Pod) => {
    const { code, status } = await apiError(fake.core.createNamespacedPod({ namespace: "default", body }));
    expect(code).toBe(422);
    return status.message as string;
  };

  it("container names are unique across init and regular containers; restartPolicy Always only on init containers", async () => {
    const pod = podOf("p", ["true"]);
    pod.spec!.initContainers = [
      { name: "base", image: "busybox:1.36" },
      { name: "side", image: "busybox:1.36", restartPolicy: "OnFailure" },
    ];
    pod.spec!.containers[0]!.restartPolicy = "Always";
    expect(await invalid(pod)).toBe(
      'Pod "p" is invalid: [spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers, spec.initContainers[0].name: Duplicate value: "base", spec.initContainers[1].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"]',
    );
  });

  it("envFrom needs exactly one source; valueFrom and securityContext are checked", async () => {
    const pod = podOf("p", ["true"]);
    pod.spec!.containers[0]!.envFrom = [{ prefix: "X_" }];
    pod.spec!.containers[0]!.env = [{ name: "A", valueFrom: { secretKeyRef: { name: "db", key: "" } } }];
    pod.spec!.containers[0]!.securityContext = {
      runAsUser: -1,
      privileged: true,
      allowPrivilegeEscalation: false,
      seccompProfile: { type: "Localhost" },
    };
    expect(await invalid(pod)).toBe(
      'Pod "p" is invalid: [spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value, spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`, spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive, spec.containers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost, spec.containers[0].securityContext: Invalid value: "": cannot set `allowPrivilegeEscalation` to false and `privileged` to true]',
    );
  });

  it("dnsPolicy, dnsConfig, hostAliases, topology spread and extended resources", async () => {
    const pod = podOf("p", ["true"]);
    Object.assign(pod.spec!, {
      dnsPolicy: "Google",
      dnsConfig: { nameservers: ["dns.google"] },
      hostAliases: [{ ip: "10.0.0.300", hostnames: ["db"] }],
      topologySpreadConstraints: [{ maxSkew: 0, topologyKey: "zone", whenUnsatisfiable: "Never" }],
    });
    pod.spec!.containers[0]!.resources = {
      requests: { "nvidia.com/gpu": "1" },
      limits: { "nvidia.com/gpu": "2" },
    };
    expect(await invalid(pod)).toBe(
      'Pod "p" is invalid: [spec.containers[0].resources.requests: Invalid value: "1": must be equal to nvidia.com/gpu limit of 2, spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None", spec.dnsConfig.nameservers[0]: Invalid value: "dns.google": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff), spec.hostAliases[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff), spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero, spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Never": supported values: "DoNotSchedule", "ScheduleAnyway"]',
    );
  });

  it("stores init containers (sidecars with restartPolicy Always) with their defaults", async () => {
    const pod = podOf("p", ["true"]);
    pod.spec!.initContainers = [{ name: "proxy", image: "busybox:1.36", restartPolicy: "Always" }];
    const created = await fake.core.createNamespacedPod({ namespace: "default", body: pod });
    expect(created.spec?.initContainers?.[0]).toMatchObject({
      name: "proxy",
      restartPolicy: "Always",
      imagePullPolicy: "IfNotPresent",
    });
  });
});
