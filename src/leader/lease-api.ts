/** The fields of a coordination.k8s.io/v1 Lease that leader election reads and writes. */
export interface LeaseRecord {
  /** Who holds the lease; "" after a graceful release. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: Date | undefined;
  renewTime: Date | undefined;
  leaseTransitions: number;
}

/** A lease as read from the API server, with the version an update must name. */
export interface StoredLease {
  record: LeaseRecord;
  resourceVersion: string;
}

/**
 * The lease as leader election needs it: one named Lease, read and written with optimistic
 * concurrency. `create` and `replace` throw LeaseConflictError when someone else wrote first.
 */
export interface LeaseApi {
  /** "namespace/name", for log lines. */
  readonly description: string;
  /** The lease, or undefined when it does not exist. */
  get(): Promise<StoredLease | undefined>;
  create(record: LeaseRecord): Promise<StoredLease>;
  /** Writes `record` if the lease is still at `resourceVersion`. */
  replace(record: LeaseRecord, resourceVersion: string): Promise<StoredLease>;
}

/** 409 from the API server: another candidate created or updated the lease first. */
export class LeaseConflictError extends Error {
  readonly code = "conflict";
}
