// The baseline: imports every file listed in argv[2] (a JSON array of absolute paths) one after
// another in this one process, then prints its own timings as one JSON line. With argv[3] (the URL
// of the loader's validateDag), also validates each default export, to price validation apart.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [listFile, validatorUrl] = process.argv.slice(2);
const files = JSON.parse(readFileSync(listFile, "utf8"));
const startupMs = performance.now();
const namespaces = [];
for (const file of files) namespaces.push(await import(pathToFileURL(file).href));
const importMs = performance.now() - startupMs;
const report = { startupMs, importMs, modules: namespaces.length };
if (validatorUrl) {
  const { validateDag } = await import(validatorUrl);
  const started = performance.now();
  const valid = namespaces.filter((namespace) => validateDag(namespace.default, () => undefined).ok).length;
  Object.assign(report, { validateMs: performance.now() - started, valid });
}
process.stdout.write(`${JSON.stringify(report)}\n`);
