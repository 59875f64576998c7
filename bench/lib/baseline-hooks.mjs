// Module hooks of the import() baseline (bench/lib/import-baseline.ts): `updraft` always means the
// daemon's own SDK, so the generated repository needs no node_modules; files outside node_modules
// are ES modules whatever package.json says. tsx, registered after these, compiles TypeScript.
let sdkUrl;

export function initialize(data) {
  sdkUrl = data.sdkUrl;
}

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "updraft") return { url: sdkUrl, format: "module", shortCircuit: true };
  const resolved = await nextResolve(specifier, context);
  if (
    resolved.url.startsWith("file:") &&
    !resolved.url.includes("/node_modules/") &&
    /\.(m?ts|m?js|tsx|jsx)$/.test(resolved.url)
  ) {
    return { ...resolved, format: "module" };
  }
  return resolved;
}
