/**
 * Admission refusals as kube-apiserver words them, for `kube.refuseNext(...)`: Pod Security
 * Admission's 403 and a validating webhook's denial (whatever code the webhook chose).
 */
import { KubeError } from "./status.ts";

/** PSA "restricted" refusing a Pod whose container `container` sets no security context. */
export function podSecurityDenial(podName: string, container = "base"): KubeError {
  const violations = [
    `allowPrivilegeEscalation != false (container "${container}" must set securityContext.allowPrivilegeEscalation=false)`,
    `unrestricted capabilities (container "${container}" must set securityContext.capabilities.drop=["ALL"])`,
    `runAsNonRoot != true (pod or container "${container}" must set securityContext.runAsNonRoot=true)`,
    `seccompProfile (pod or container "${container}" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
  ];
  return new KubeError(
    403,
    "Forbidden",
    `pods "${podName}" is forbidden: violates PodSecurity "restricted:latest": ${violations.join(", ")}`,
    { name: podName, kind: "pods" },
  );
}

/** A validating webhook's denial; the API answers the code the webhook set (400 when it set none). */
export function webhookDenial(webhook: string, message: string, code = 400): KubeError {
  return new KubeError(
    code,
    code === 403 ? "Forbidden" : code === 400 ? "BadRequest" : "InternalError",
    `admission webhook "${webhook}" denied the request: ${message}`,
  );
}
