// Retries, timeouts and trigger rules, run by hand: `npx updraft trigger resilience`.
import { dag, pod } from "updraft";
import { NODE_IMAGE, nodeScript } from "../etl/lib/defaults.ts";

export default dag({
  id: "resilience",
  description:
    "A task that fails once and succeeds on its retry, one that times out, and a cleanup that always runs.",
  schedule: null,
  owner: "examples",
  tags: ["example"],
  tasks: [
    pod({
      id: "flaky",
      image: NODE_IMAGE,
      retries: 1,
      retryDelay: "1s",
      // Fails on try 1, succeeds on try 2.
      command: nodeScript(
        "const t = Number('{{ try_number }}'); console.log('try', t); process.exit(t < 2 ? 3 : 0)",
      ),
    }),
    pod({
      id: "slow",
      image: NODE_IMAGE,
      timeout: "2s",
      command: nodeScript("console.log('sleeping 60s'); setTimeout(() => {}, 60000)"),
    }),
    pod({
      id: "cleanup",
      image: NODE_IMAGE,
      dependsOn: ["flaky", "slow"],
      triggerRule: "all_done",
      command: nodeScript("console.log('cleaning up after flaky and slow')"),
    }),
  ],
});
