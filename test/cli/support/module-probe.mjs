// `node --import ./module-probe.mjs …`: appends the URL of every module Node loads to the file
// named by MODULE_PROBE_LOG, so a test can see what a command loaded (TypeScript, tsx, esbuild).
import { register } from "node:module";

register("./module-probe-hooks.mjs", import.meta.url);
