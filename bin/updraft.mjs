#!/usr/bin/env -S node --max-semi-space-size=2
// --max-semi-space-size=2 (MB): the daemon keeps each reload's DAG set alive, and V8 grows the
// young generation with what survives, up to 2×16 MB it never returns; 2 MB keeps RSS flat over
// thousands of reloads (bench:load) at the cost of more, cheaper scavenges. Every launch path
// (this line, `npm start`, the Dockerfile) passes it; test/cli/launch-flags.test.ts checks they agree.
// Runs the CLI from a JavaScript bundle of src/ that cli-bundle.mjs builds on the first start and
// caches by content: nothing compiles TypeScript at start-up, and there is no build step to run.
import { loadCli } from "./cli-bundle.mjs";

const { main } = await loadCli();
process.exitCode = await main(process.argv.slice(2), process.env);
