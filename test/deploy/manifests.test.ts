import { execFile, spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { V1Deployment, V1RoleBinding, V1Secret, V1Service } from "@kubernetes/client-node";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envNameOf } from "../../src/config/flags.ts";
import { RUN_FLAGS } from "../../src/config/run-config.ts";
import { envOf, instructionsOf, parseDockerfile } from "./support/dockerfile.ts";
import {
  type Manifest,
  type ManifestFile,
  parseManifests,
  readManifestFiles,
  unknownFields,
  validateAgainstSchema,
} from "./support/manifests.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DEPLOY = path.join(REPO_ROOT, "deploy");
const SECRET_EXAMPLE = "secret.example.yaml";
/** Environment the daemon reads that is not a flag (kept out of flags so it never shows in `ps`). */
const NON_FLAG_ENV = ["UPDRAFT_GIT_TOKEN"];

interface Kustomization {
  resources: string[];
  configMapGenerator: Array<{ name: string; namespace?: string; literals: string[] }>;
}

let files: ManifestFile[];
let objects: Manifest[];
let kustomization: Kustomization;

beforeAll(async () => {
  files = await readManifestFiles(DEPLOY);
  objects = files.filter((f) => f.file !== SECRET_EXAMPLE).flatMap((f) => f.objects);
  kustomization = parse(await readFile(path.join(DEPLOY, "kustomization.yaml"), "utf8")) as Kustomization;
});

function one<T>(kind: string, name?: string): T {
  const found = objects.filter((o) => o.kind === kind && (!name || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ""}, found ${found.length}`);
  return found[0] as unknown as T;
}

function configLiterals(): Record<string, string> {
  const generator = kustomization.configMapGenerator.find((g) => g.name === "updraft-config");
  return Object.fromEntries((generator?.literals ?? []).map((l) => l.split(/=(.*)/s).slice(0, 2)));
}

function daemonContainer() {
  const deployment = one<V1Deployment>("Deployment", "updraft");
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === "updraft");
  if (!container) throw new Error("the Deployment has no container named updraft");
  return { deployment, pod: deployment.spec?.template.spec, container };
}

describe("deploy/", () => {
  it("every manifest validates against the Kubernetes schemas and has no field the API does not know", () => {
    expect(files.map((f) => f.file)).toContain(SECRET_EXAMPLE);
    for (const { file, objects: documents } of files) {
      expect(documents.length, file).toBeGreaterThan(0);
      for (const object of documents) {
        const where = `${file}: ${object.kind} ${object.metadata?.name}`;
        expect(() => validateAgainstSchema(object), where).not.toThrow();
        expect(unknownFields(object), where).toEqual([]);
        // Explicit namespaces: a kustomize `namespace:` would move the jobs Role too.
        if (object.kind === "Namespace") expect(object.metadata.namespace, where).toBeUndefined();
        else expect(object.metadata.namespace, where).toMatch(/^[a-z0-9-]+$/);
      }
    }
  });

  it("kustomization.yaml lists every manifest but the secret example, and nothing else", () => {
    const manifests = files.map((f) => f.file).filter((f) => f !== SECRET_EXAMPLE);
    expect([...kustomization.resources].sort()).toEqual(manifests);
  });

  it("the Deployment: one replica, Recreate, probes on its HTTP port, resources", () => {
    const { deployment, container } = daemonContainer();
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.strategy).toEqual({ type: "Recreate" });
    const http = container.ports?.find((p) => p.name === "http");
    expect(http?.containerPort).toBeGreaterThan(0);
    expect(container.livenessProbe?.httpGet).toMatchObject({ path: "/healthz", port: "http" });
    expect(container.readinessProbe?.httpGet).toMatchObject({ path: "/readyz", port: "http" });
    expect(container.resources?.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(container.resources?.limits?.memory).toEqual(expect.any(String));
  });

  it("the Deployment runs hardened: non-root, read-only root, no escalation, no capabilities, seccomp", () => {
    const { pod, container } = daemonContainer();
    expect(pod?.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
    });
    // With a read-only root, everything written needs a volume: state, /tmp and HOME (git, ssh).
    const mounts = Object.fromEntries((container.volumeMounts ?? []).map((m) => [m.mountPath, m.name]));
    const volumes = Object.fromEntries((pod?.volumes ?? []).map((v) => [v.name, v]));
    const state = volumes[mounts["/var/lib/updraft"] ?? ""];
    expect(state?.persistentVolumeClaim?.claimName).toBe(
      one<Manifest>("PersistentVolumeClaim").metadata.name,
    );
    expect(volumes[mounts["/tmp"] ?? ""]?.emptyDir).toBeDefined();
    expect(volumes[mounts["/home/updraft"] ?? ""]?.emptyDir).toBeDefined();
  });

  it("agrees with the Dockerfile (user, state dir, HOME, port) and sets only variables updraft reads", async () => {
    const { stages } = parseDockerfile(await readFile(path.join(REPO_ROOT, "Dockerfile"), "utf8"));
    const final = stages.at(-1);
    if (!final) throw new Error("the Dockerfile has no stage");
    const image = envOf(final);
    const [uid, gid] = (instructionsOf(final, "USER").at(-1)?.text ?? "").split(":").map(Number);
    const { pod, container } = daemonContainer();
    expect(pod?.securityContext).toMatchObject({ runAsUser: uid, runAsGroup: gid, fsGroup: gid });
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e]));
    expect(env.UPDRAFT_STATE_DIR?.value).toBe(image.UPDRAFT_STATE_DIR);
    expect(container.volumeMounts?.map((m) => m.mountPath)).toContain(image.UPDRAFT_STATE_DIR);
    expect(container.volumeMounts?.map((m) => m.mountPath)).toContain(image.HOME);
    expect(env.UPDRAFT_HOST?.value).toBe("0.0.0.0");
    expect(Number(env.UPDRAFT_PORT?.value)).toBe(
      container.ports?.find((p) => p.name === "http")?.containerPort,
    );
    expect(env.POD_NAME?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.name");
    expect(env.POD_NAMESPACE?.valueFrom?.fieldRef?.fieldPath).toBe("metadata.namespace");

    // A misspelt variable would be silently ignored by the daemon: every UPDRAFT_* must be real.
    const known = new Set([...RUN_FLAGS.map((flag) => envNameOf(flag.name)), ...NON_FLAG_ENV]);
    const set = [...Object.keys(env), ...Object.keys(configLiterals())].filter((n) =>
      n.startsWith("UPDRAFT_"),
    );
    expect(set.filter((name) => !known.has(name))).toEqual([]);
    expect(configLiterals()).toMatchObject({ UPDRAFT_EXECUTOR: "kubernetes" });
    expect(container.envFrom).toEqual([{ configMapRef: { name: "updraft-config" } }]);
  });

  it("reads the three secrets from the example Secret's keys, each optional; the example holds placeholders only", () => {
    const secret = files.find((f) => f.file === SECRET_EXAMPLE)?.objects[0] as unknown as V1Secret;
    const values = secret.stringData ?? {};
    expect(Object.keys(values).sort()).toEqual([
      "UPDRAFT_API_TOKEN",
      "UPDRAFT_GIT_TOKEN",
      "UPDRAFT_WEBHOOK_SECRET",
    ]);
    for (const value of Object.values(values)) expect(value).toMatch(/^<[^>]+>$/);
    expect(secret.data).toBeUndefined();
    const { deployment, container } = daemonContainer();
    expect(secret.metadata?.namespace).toBe(deployment.metadata?.namespace);
    const refs = (container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
    expect(refs.map((e) => [e.name, e.valueFrom?.secretKeyRef])).toEqual(
      Object.keys(values).map((key) => [key, { name: secret.metadata?.name, key, optional: true }]),
    );
  });

  it("the Service selects the daemon's pods on its HTTP port; the RoleBindings bind its service account", () => {
    const { deployment, pod } = daemonContainer();
    const service = one<V1Service>("Service", "updraft");
    expect(service.metadata?.namespace).toBe(deployment.metadata?.namespace);
    const labels = deployment.spec?.template.metadata?.labels ?? {};
    expect(labels).toMatchObject(service.spec?.selector ?? { missing: "selector" });
    expect(service.spec?.ports?.[0]?.targetPort).toBe("http");

    const account = one<Manifest>("ServiceAccount");
    expect(pod?.serviceAccountName).toBe(account.metadata.name);
    expect(account.metadata.namespace).toBe(deployment.metadata?.namespace);
    const bindings = objects.filter((o) => o.kind === "RoleBinding") as unknown as V1RoleBinding[];
    expect(bindings.map((b) => b.metadata?.name).sort()).toEqual([
      "updraft-leader-election",
      "updraft-tasks",
    ]);
    for (const binding of bindings) {
      expect(binding.subjects).toEqual([
        { kind: "ServiceAccount", name: account.metadata.name, namespace: account.metadata.namespace },
      ]);
      const role = one<Manifest>("Role", binding.roleRef.name);
      expect(role.metadata.namespace).toBe(binding.metadata?.namespace);
    }
    // The Lease lives beside the daemon; task pods in the jobs namespace.
    expect(one<Manifest>("Role", "updraft-leader-election").metadata.namespace).toBe(
      deployment.metadata?.namespace,
    );
    expect(one<Manifest>("Role", "updraft-tasks").metadata.namespace).toBe(
      configLiterals().UPDRAFT_NAMESPACE,
    );
    expect(
      objects
        .filter((o) => o.kind === "Namespace")
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual([deployment.metadata?.namespace, configLiterals().UPDRAFT_NAMESPACE].sort());
  });
});

const hasKubectl = spawnSync("kubectl", ["version", "--client"], { stdio: "ignore" }).status === 0;

describe.skipIf(!hasKubectl)("kubectl kustomize deploy/", () => {
  async function render(dir: string): Promise<Manifest[]> {
    const { stdout } = await promisify(execFile)("kubectl", ["kustomize", dir], { timeout: 60_000 });
    return parseManifests(stdout);
  }

  it("renders objects that validate, the settings ConfigMap wired into the Deployment", async () => {
    const rendered = await render(DEPLOY);
    for (const object of rendered) {
      expect(() => validateAgainstSchema(object), object.kind).not.toThrow();
      expect(unknownFields(object), object.kind).toEqual([]);
    }
    const config = rendered.find((o) => o.kind === "ConfigMap");
    const deployment = rendered.find((o) => o.kind === "Deployment") as unknown as V1Deployment;
    expect(deployment.spec?.template.spec?.containers[0]?.envFrom?.[0]?.configMapRef?.name).toBe(
      config?.metadata.name,
    );
    expect(deployment.spec?.template.spec?.containers[0]?.image).not.toBe("updraft");
    expect(rendered.some((o) => o.kind === "Secret")).toBe(false);
  });

  it("moves the jobs Namespace, Role and RoleBinding when UPDRAFT_NAMESPACE changes", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "updraft-kustomize-"));
    try {
      await cp(DEPLOY, dir, { recursive: true });
      const file = path.join(dir, "kustomization.yaml");
      const text = await readFile(file, "utf8");
      expect(text).toContain("UPDRAFT_NAMESPACE=updraft-jobs");
      await writeFile(file, text.replace("UPDRAFT_NAMESPACE=updraft-jobs", "UPDRAFT_NAMESPACE=batch"));
      const rendered = await render(dir);
      expect(JSON.stringify(rendered)).not.toContain("updraft-jobs");
      const placed = (kind: string) =>
        rendered.filter((o) => o.kind === kind).map((o) => o.metadata.namespace ?? o.metadata.name);
      expect(placed("Namespace").sort()).toEqual(["batch", "updraft"]);
      expect(placed("Role").sort()).toEqual(["batch", "updraft"]);
      expect(placed("RoleBinding").sort()).toEqual(["batch", "updraft"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
