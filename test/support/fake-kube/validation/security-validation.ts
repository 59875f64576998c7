import { invalid, notSupported, required, type FieldError } from "./field-errors.ts";

const MAX_ID = 2147483647;
const SECCOMP_TYPES = ["Localhost", "RuntimeDefault", "Unconfined"];
const PROC_MOUNTS = ["Default", "Unmasked"];
const FS_GROUP_POLICIES = ["OnRootMismatch", "Always"];

interface Shape {
  runAsUser?: unknown;
  runAsGroup?: unknown;
  fsGroup?: unknown;
  privileged?: unknown;
  allowPrivilegeEscalation?: unknown;
  procMount?: unknown;
  fsGroupChangePolicy?: unknown;
  seccompProfile?: { type?: string; localhostProfile?: string };
  capabilities?: { add?: string[] };
}

function ids(sc: Shape, path: string, fields: Array<"runAsUser" | "runAsGroup" | "fsGroup">): FieldError[] {
  return fields.flatMap((field) => {
    const value = sc[field];
    if (value === undefined) return [];
    return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_ID
      ? []
      : [invalid(`${path}.${field}`, value, `must be between 0 and ${MAX_ID}, inclusive`)];
  });
}

function seccomp(sc: Shape, path: string): FieldError[] {
  const profile = sc.seccompProfile;
  if (!profile) return [];
  const at = `${path}.seccompProfile`;
  if (!SECCOMP_TYPES.includes(profile.type ?? ""))
    return [notSupported(`${at}.type`, profile.type ?? "", SECCOMP_TYPES)];
  if (profile.type === "Localhost" && !profile.localhostProfile) {
    return [required(`${at}.localhostProfile`, "must be set when seccomp type is Localhost")];
  }
  if (profile.type !== "Localhost" && profile.localhostProfile !== undefined) {
    return [
      invalid(
        `${at}.localhostProfile`,
        profile.localhostProfile,
        "can only be set when seccomp type is Localhost",
      ),
    ];
  }
  return [];
}

/** ValidateSecurityContext for a container (`…containers[i].securityContext`). */
export function validateSecurityContext(raw: unknown, path: string): FieldError[] {
  if (raw === undefined || raw === null) return [];
  const sc = raw as Shape;
  const errors = [...ids(sc, path, ["runAsUser", "runAsGroup"]), ...seccomp(sc, path)];
  if (sc.procMount !== undefined && !PROC_MOUNTS.includes(String(sc.procMount))) {
    errors.push(notSupported(`${path}.procMount`, sc.procMount, PROC_MOUNTS));
  }
  if (sc.allowPrivilegeEscalation === false && sc.privileged === true) {
    errors.push(invalid(path, "", "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
  }
  if (sc.allowPrivilegeEscalation === false && (sc.capabilities?.add ?? []).includes("CAP_SYS_ADMIN")) {
    errors.push(
      invalid(
        path,
        "",
        "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN",
      ),
    );
  }
  return errors;
}

/** validatePodSpecSecurityContext (`spec.securityContext`). */
export function validatePodSecurityContext(raw: unknown): FieldError[] {
  if (raw === undefined || raw === null) return [];
  const sc = raw as Shape;
  const path = "spec.securityContext";
  const errors = [...ids(sc, path, ["runAsUser", "runAsGroup", "fsGroup"]), ...seccomp(sc, path)];
  if (sc.fsGroupChangePolicy !== undefined && !FS_GROUP_POLICIES.includes(String(sc.fsGroupChangePolicy))) {
    errors.push(notSupported(`${path}.fsGroupChangePolicy`, sc.fsGroupChangePolicy, FS_GROUP_POLICIES));
  }
  return errors;
}
