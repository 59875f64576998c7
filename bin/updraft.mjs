#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2 (MB): the daemon keeps each reload's DAG set alive, and V8 grows the
// young generation with what survives, up to 2×16 MB it never returns; 2 MB keeps RSS flat over
// thousands of reloads (bench:load) at the cost of more, cheaper scavenges. Every launch path
// (this line, `npm start`, the Dockerfile) passes it; test/cli/launch-flags.test.ts checks they agree.
// Runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2), process.env);
