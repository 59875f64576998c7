// Run as a child by definitions-burst-kill.test.ts: keeps argv[3] definitions at once (written
// DEFINITIONS_PER_WRITE a line) through the store's own writer (HeldAppendWriter), and kills itself
// with SIGKILL at the append numbered argv[4]: half-way through it when argv[5] is "torn", else
// once it is acknowledged. Prints `lines N` after each acknowledged append.
import { appendFile } from "node:fs/promises";
import { HeldAppendWriter } from "../../../src/store/durable-write.ts";
import { RunStore } from "../../../src/store/run-store.ts";
import { dag, pod } from "../../scheduler-loop/harness.ts";

const [stateDir = "", count = "0", killAt = "0", how = ""] = process.argv.slice(2);
const die = (): never => {
  process.kill(process.pid, "SIGKILL");
  throw new Error("not killed");
};
const held = new HeldAppendWriter();
let appends = 0;
const store = await RunStore.open(stateDir, {
  writer: {
    write: held.write,
    writeParts: held.writeParts,
    async append(file, text) {
      appends++;
      if (appends === Number(killAt) && how === "torn") {
        await appendFile(file, text.slice(0, Math.floor(text.length / 2)));
        die();
      }
      await held.append(file, text);
      console.log(`lines ${appends}`);
      if (appends === Number(killAt)) die();
    },
  },
});
await store.keepDefinitions(
  Array.from({ length: Number(count) }, (_, i) => dag(`d${i}`, { tasks: [pod("only")] })),
);
console.log("done");
