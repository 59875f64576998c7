import * as esbuild from "esbuild";

/**
 * Go's GC target for esbuild's service process, unless the user set GOGC. The service is started
 * by the first esbuild call and kept for the daemon's life; at a cold load it compiles every DAG
 * module (10,000 small files), and at Go's default (100) about a quarter of its CPU went to
 * collecting a heap of a few MB. 400 lets that heap grow to five times what is live instead.
 */
const SERVICE_GOGC = "400";

/** Runs `call` (an esbuild call) so that a service it starts gets SERVICE_GOGC. */
function withServiceGc<T>(call: () => T): T {
  if (process.env.GOGC !== undefined) return call();
  // esbuild spawns its service synchronously, inside the call: the variable is set only for that.
  process.env.GOGC = SERVICE_GOGC;
  try {
    return call();
  } finally {
    delete process.env.GOGC;
  }
}

/** esbuild's transform, its service started with SERVICE_GOGC. */
export const transform: typeof esbuild.transform = (input, options) =>
  withServiceGc(() => esbuild.transform(input, options));

/** esbuild's build, its service started with SERVICE_GOGC. */
export const build: typeof esbuild.build = (options) => withServiceGc(() => esbuild.build(options));
