// Module hooks of module-probe.mjs (they run on Node's hooks thread).
import { appendFileSync } from "node:fs";

export async function load(url, context, nextLoad) {
  if (process.env.MODULE_PROBE_LOG) appendFileSync(process.env.MODULE_PROBE_LOG, `${url}\n`);
  return nextLoad(url, context);
}
