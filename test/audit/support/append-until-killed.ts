// Run by audit-kill.test.ts as a real process: appends audit entries from several writers at once
// and prints `ack <requestId>` for each once its append resolved, until it is killed.
import { AuditLog } from "../../../src/audit/audit-log.ts";
import { SecretMask } from "../../../src/secrets/secret-mask.ts";

const [stateDir, writers = "4"] = process.argv.slice(2);
if (!stateDir) throw new Error("usage: append-until-killed.ts <stateDir> [writers]");
const log = new AuditLog({ stateDir, mask: new SecretMask(), maxBytes: 64 * 1024, keepFiles: 10_000 });

let next = 0;
async function writer(): Promise<never> {
  for (;;) {
    const requestId = `kill-${next++}`;
    await log.append({
      at: new Date().toISOString(),
      actor: "ci-token",
      role: "operator",
      via: "token",
      action: "trigger",
      target: "dag/etl",
      input: { conf: { n: requestId, pad: "p".repeat((next * 997) % 12_000) } },
      status: 201,
      requestId,
    });
    process.stdout.write(`ack ${requestId}\n`);
  }
}

await Promise.all(Array.from({ length: Number(writers) }, () => writer()));
