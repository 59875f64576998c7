// The CLI as bin/updraft.mjs started it before it ran a bundle: tsx compiling src/ at every start.
// bench:startup measures it as the baseline.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../../src/cli.ts");
process.exitCode = await main(process.argv.slice(2), process.env);
