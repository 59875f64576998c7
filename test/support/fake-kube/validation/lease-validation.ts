import { badRequest } from "../status.ts";
import type { KubeObject } from "../types.ts";
import { invalid, type FieldError } from "./field-errors.ts";
import { dns1123Subdomain } from "./names.ts";
import { validateObjectMeta } from "./object-meta.ts";

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/**
 * The decoder's check of MicroTime fields: Go parses them with exactly six fraction digits, so a
 * JavaScript `Date#toISOString()` (three digits) is a 400, as on a real cluster.
 */
export function decodeLease(lease: KubeObject): void {
  const spec = (lease.spec ?? {}) as LeaseSpec;
  for (const field of ["acquireTime", "renewTime"] as const) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string" || !MICRO_TIME.test(value)) {
      throw badRequest(
        `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.000000Z07:00": cannot parse ${JSON.stringify(String(value).slice(19))} as ".000000"`,
      );
    }
  }
}

export function validateLease(lease: KubeObject): FieldError[] {
  const spec = (lease.spec ?? {}) as LeaseSpec;
  const errors = validateObjectMeta(lease.metadata, dns1123Subdomain);
  if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) {
    errors.push(invalid("spec.leaseDurationSeconds", spec.leaseDurationSeconds, "must be greater than 0"));
  }
  if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) {
    errors.push(
      invalid("spec.leaseTransitions", spec.leaseTransitions, "must be greater than or equal to 0"),
    );
  }
  return errors;
}
