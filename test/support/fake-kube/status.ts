/** kube-apiserver's `Status` error objects, and the one error class the fake throws to send them. */

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** A failed request: thrown anywhere in a handler, answered by the router as this Status. */
export class KubeError extends Error {
  readonly status: Status;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }
}

/** What a resource is called in messages and Status details. */
export interface ResourceNames {
  /** Plural, lower case: `pods`, `leases`. */
  resource: string;
  /** `""` for the core group. */
  group: string;
  kind: string;
}

/** `pods` or `leases.coordination.k8s.io`, as kube-apiserver names a resource in messages. */
export const qualifiedResource = (r: ResourceNames): string =>
  r.group ? `${r.resource}.${r.group}` : r.resource;
const groupDetail = (r: ResourceNames) => (r.group ? { group: r.group } : {});

export const notFound = (r: ResourceNames, name: string): KubeError =>
  new KubeError(404, "NotFound", `${qualifiedResource(r)} "${name}" not found`, {
    name,
    ...groupDetail(r),
    kind: r.resource,
  });

export const alreadyExists = (r: ResourceNames, name: string): KubeError =>
  new KubeError(409, "AlreadyExists", `${qualifiedResource(r)} "${name}" already exists`, {
    name,
    ...groupDetail(r),
    kind: r.resource,
  });

export const conflict = (r: ResourceNames, name: string, why: string): KubeError =>
  new KubeError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(r)} "${name}": ${why}`,
    {
      name,
      ...groupDetail(r),
      kind: r.resource,
    },
  );

export const badRequest = (message: string): KubeError => new KubeError(400, "BadRequest", message);

export const expired = (message: string): KubeError => new KubeError(410, "Expired", message);

export const forbidden = (r: ResourceNames, name: string, why: string): KubeError =>
  new KubeError(403, "Forbidden", `${qualifiedResource(r)} "${name}" is forbidden: ${why}`, {
    name,
    ...groupDetail(r),
    kind: r.resource,
  });

export const unauthorized = (): KubeError => new KubeError(401, "Unauthorized", "Unauthorized");

export const routeNotFound = (): KubeError =>
  new KubeError(404, "NotFound", "the server could not find the requested resource", {});

export const methodNotAllowed = (): KubeError =>
  new KubeError(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
    {},
  );

/**
 * The Status a fault answers with, reason and message as the real server would word that code; a
 * 429 or 503 carries `retryAfterSeconds` (1 unless given), sent as the `Retry-After` header too.
 */
export function statusForCode(code: number, message?: string, retryAfterSeconds?: number): KubeError {
  const known: Record<number, [string, string]> = {
    400: ["BadRequest", "the server rejected our request for an unknown reason"],
    401: ["Unauthorized", "Unauthorized"],
    403: ["Forbidden", "forbidden"],
    404: ["NotFound", "the server could not find the requested resource"],
    409: ["Conflict", "the server reported a conflict"],
    410: ["Expired", "the resource has expired"],
    429: ["TooManyRequests", "the server has received too many requests and has asked us to try again later"],
    500: ["InternalError", "Internal error occurred: injected fault"],
    503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
    504: [
      "Timeout",
      "the server was unable to return a response in the time allotted, but may still be processing the request",
    ],
  };
  const [reason, text] = known[code] ?? ["InternalError", `injected fault (${code})`];
  const details = code === 429 || code === 503 ? { retryAfterSeconds: retryAfterSeconds ?? 1 } : undefined;
  return new KubeError(code, reason, message ?? text, details);
}

/** A successful delete of a kind that does not return the object (leases). */
export const deleteSuccess = (r: ResourceNames, name: string, uid: string): Status => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Success",
  details: { name, ...groupDetail(r), kind: r.resource, uid },
  code: 200,
});
