import { badRequest } from "../status.ts";
import type { Pod } from "../types.ts";
import { formatQuantity, parseQuantity } from "./quantity.ts";

/**
 * What the real decoder does before validation: an unparsable quantity is a 400 BadRequest (not a 422),
 * and every quantity is stored in canonical form (`1024Mi` comes back as `1Gi`, `0.5` as `500m`).
 */
export function decodePodQuantities(pod: Pod): void {
  const canonical = (value: string | number) => {
    const q = parseQuantity(value);
    if ("error" in q) throw badRequest(`Pod in version "v1" cannot be handled as a Pod: ${q.error}`);
    return formatQuantity(q);
  };
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    for (const kind of ["limits", "requests"] as const) {
      const values = c.resources?.[kind];
      if (!values) continue;
      for (const [name, value] of Object.entries(values)) values[name] = canonical(value);
    }
  }
  for (const v of pod.spec?.volumes ?? []) {
    const emptyDir = v.emptyDir as { sizeLimit?: string } | undefined;
    if (emptyDir?.sizeLimit !== undefined) emptyDir.sizeLimit = canonical(emptyDir.sizeLimit);
  }
}
