// The floor's evaluator (bench/lib/raw-git-sync.ts): a long-lived Node process (updraft hooks + tsx)
// that imports each file it is sent, under a new query so that the changed module is evaluated
// again, and answers with how long the import took. Warm: it has imported modules before.
import { pathToFileURL } from "node:url";

let version = 0;
process.on("message", async (file) => {
  version += 1;
  const started = performance.now();
  try {
    const namespace = await import(`${pathToFileURL(file).href}?v=${version}`);
    const description = namespace.default?.description ?? null;
    process.send({ ms: performance.now() - started, description });
  } catch (error) {
    process.send({ ms: performance.now() - started, error: String(error) });
  }
});
process.send({ ready: true });
