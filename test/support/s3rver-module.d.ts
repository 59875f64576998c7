// The few parts of `s3rver` (no types of its own) the tests use.
declare module "s3rver" {
  import type { Server } from "node:http";

  export interface S3rverOptions {
    port?: number;
    address?: string;
    silent?: boolean;
    directory?: string;
    resetOnClose?: boolean;
    configureBuckets?: Array<{ name: string; configs?: unknown[] }>;
  }

  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ port: number; address: string }>;
    close(): Promise<void>;
    httpServer: Server | undefined;
  }
}
