import { register } from "node:module";

register("./loader-hooks.mjs", import.meta.url, {
  data: { sdkUrl: new URL("../../sdk/index.ts", import.meta.url).href },
});
