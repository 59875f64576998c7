// Registered with `--import` before tsx in the baseline process: `updraft` means the SDK.
import { register } from "node:module";

register("./baseline-hooks.mjs", import.meta.url, {
  data: { sdkUrl: new URL("../../src/sdk/index.ts", import.meta.url).href },
});
