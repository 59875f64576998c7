/**
 * Entry of a DAG loader process (bundled by loader-runtime.ts and run by plain `node`). The daemon
 * forks one per load and sends it batches of DAG module paths with the compiled sources they need;
 * it answers with plain validated data, one result per module. The process is thrown away after
 * the load: ES modules cannot be unloaded, so a fresh process is the only way to re-evaluate
 * changed files and their helpers without leaking memory, and DAG modules never share globals
 * with the daemon.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CALL_SITE, type CallSite } from "../../sdk/call-site.ts";
import * as sdk from "../../sdk/index.ts";
import { dagValidationResult } from "./dag-validation-result.ts";
import { DagModuleGraph } from "./dag-module-graph.ts";
import { describeThrown, type LoadError, type SourceLocation } from "./load-error.ts";
import type { LoaderAnswer, LoaderMessage, LoaderRequest } from "./loader-protocol.ts";
import { WARM_UP_FILE, warmUpSource } from "./loader-warm-up.ts";
import { NOT_PLAIN, plainCopy } from "./plain-copy.ts";
import { ReceivedSources } from "./received-sources.ts";
import { mapStackTraces } from "./source-mapped-stacks.ts";

function send(message: LoaderMessage): void {
  process.send?.(message);
}

// A DAG module must not end the loader (and with it every other module's load).
process.exit = ((code?: number) => {
  throw new Error(`DAG modules must not call process.exit() (called with ${code ?? 0})`);
}) as typeof process.exit;

/** Compiled files of this load: sent with the requests, or asked for when a module needs another. */
const sources = new ReceivedSources((file) => send({ type: "need", path: file }));
const maps = new Map<string, string>();
mapStackTraces((fileUrl) => maps.get(fileUrl));
const graph = new DagModuleGraph(async (file) => {
  const source = await sources.get(file);
  if (source?.kind === "module") maps.set(pathToFileURL(file).href, source.map);
  return source;
}, sdk);

let work = Promise.resolve();
process.on("message", (message: LoaderRequest) => {
  if (message?.type === "source") {
    sources.add(message.path, message.source);
    return;
  }
  if (message?.type !== "load") return;
  for (const file of message.sources) sources.add(file.path, file.source);
  // One module at a time, in the order asked: the daemon times each from the previous result.
  for (const file of message.files) {
    work = work
      .then(() => loadModule(message.root, file))
      .catch((error: unknown) => failedLoad(message.root, file, error))
      .then((result) => send({ type: "loaded", result }));
  }
});
// An error a module throws after its import settled (from a timer, or a promise nobody handles)
// must not end the loader: the module loading at that moment would be blamed for it.
const reportStray = (error: unknown) => {
  // Without a parent nobody reads stderr; writing there would fail (EPIPE) back into this handler.
  if (!process.connected) process.kill(process.pid, "SIGKILL");
  process.stderr.write(
    `error thrown after a DAG module loaded: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
};
process.on("uncaughtException", reportStray);
process.on("unhandledRejection", reportStray);
// A loader outlives nothing: when the daemon goes (even by kill -9), so does its loader, including
// one whose daemon died while it was still starting up.
process.on("disconnect", () => process.kill(process.pid, "SIGKILL"));
if (!process.connected) process.kill(process.pid, "SIGKILL");
await warmUp();
send({ type: "ready" });

/** Loads the built-in warm-up module in a graph of its own (nothing of it stays for real modules). */
async function warmUp(): Promise<void> {
  const url = pathToFileURL(WARM_UP_FILE).href;
  const warmUpGraph = new DagModuleGraph(async (file) => {
    if (file !== WARM_UP_FILE) return null;
    const source = warmUpSource();
    if (source.kind === "module") maps.set(url, source.map);
    return source;
  }, sdk);
  await loadModule(path.dirname(WARM_UP_FILE), WARM_UP_FILE, warmUpGraph).catch(() => undefined);
  maps.delete(url);
}

async function loadModule(
  root: string,
  file: string,
  moduleGraph: DagModuleGraph = graph,
): Promise<LoaderAnswer> {
  const relative = (absolute: string) => path.relative(root, absolute).split(path.sep).join("/");
  const moduleFile = relative(file);
  const result: LoaderAnswer = { file: moduleFile, dags: [], errors: [] };
  let namespace: Record<string, unknown>;
  try {
    namespace = await moduleGraph.evaluate(file);
  } catch (thrown) {
    const described = describeThrown(thrown, (p) => p.startsWith(root + path.sep));
    const location = described.location ?? locateMissingImport(thrown, file);
    result.errors.push(toError(moduleFile, described.kind, described.message, location, relative));
    return result;
  }
  const values = exportedDags(namespace);
  // The daemon validates every DAG it is sent (this process runs DAG code, so its word is not
  // trusted): a plain input is sent as it is, validated once, there. Only a module with an input
  // JSON would change (a Date, undefined) is validated here, all of its DAGs, in their order.
  const inputs = values.map(plainCopy);
  if (!inputs.includes(NOT_PLAIN)) {
    inputs.forEach((input, i) => {
      const dagSite = siteOf(values[i], file);
      const tasks = (input as { tasks?: unknown }).tasks;
      const taskSites = Array.isArray(tasks)
        ? tasks.map((_, index): [number, number] | null => {
            const site = siteOf(taskAt(values[i], index), file);
            return site ? [site.line, site.column] : null;
          })
        : [];
      result.dags.push({
        input,
        file: moduleFile,
        line: dagSite?.line ?? null,
        column: dagSite?.column ?? null,
        taskSites,
      });
    });
    return result;
  }
  for (const value of values) {
    const validated = dagValidationResult(moduleFile, value, siteOf(value, file), (index) =>
      siteOf(taskAt(value, index), file),
    );
    if ("dag" in validated) result.dags.push(validated.dag);
    else result.errors.push(...validated.errors);
  }
  return result;
}

/** A result for a module whose load failed in this process's own code (a bug, not the module's). */
function failedLoad(root: string, file: string, error: unknown): LoaderAnswer {
  const relative = path.relative(root, file).split(path.sep).join("/");
  const message = `the loader failed on this module: ${error instanceof Error ? error.message : String(error)}`;
  return {
    file: relative,
    dags: [],
    errors: [{ file: relative, line: null, column: null, kind: "crash", message }],
  };
}

/** Every distinct DAG among the default export, named exports, and arrays in them. */
function exportedDags(namespace: Record<string, unknown>): unknown[] {
  const found = new Set<unknown>();
  const isDag = (value: unknown) =>
    typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "dag";
  for (const value of Object.values(namespace)) {
    if (isDag(value)) found.add(value);
    else if (Array.isArray(value)) for (const item of value) if (isDag(item)) found.add(item);
  }
  return [...found];
}

/** Where in `file` (the DAG module) the `dag()` or `pod()` call that made `value` was reached. */
function siteOf(value: unknown, file: string): CallSite | undefined {
  const sites =
    typeof value === "object" && value !== null
      ? (value as { [CALL_SITE]?: CallSite[] })[CALL_SITE]
      : undefined;
  return sites?.find((site) => site.file === file);
}

function taskAt(dag: unknown, index: PropertyKey | undefined): unknown {
  const tasks = (dag as { tasks?: unknown }).tasks;
  return Array.isArray(tasks) && typeof index === "number" ? tasks[index] : undefined;
}

function toError(
  moduleFile: string,
  kind: LoadError["kind"],
  message: string,
  location: SourceLocation | undefined,
  relative: (absolute: string) => string,
): LoadError {
  if (!location) return { file: moduleFile, line: null, column: null, kind, message };
  const where = relative(location.file);
  if (where === moduleFile)
    return { file: moduleFile, line: location.line, column: location.column, kind, message };
  // The problem is in a helper the module imports: name it, since that is the file to fix.
  return {
    file: moduleFile,
    line: null,
    column: null,
    kind,
    message: `${message} (at ${where}:${location.line}:${location.column})`,
  };
}

/** For "Cannot find module" errors: the line of the importing file that names the missing module. */
function locateMissingImport(thrown: unknown, file: string): SourceLocation | undefined {
  const message = thrown instanceof Error ? thrown.message : "";
  const match = /Cannot find (?:module|package) '([^']+)' imported from (\S+)/.exec(message);
  if (!match?.[1] || !match[2]) return undefined;
  const importer = match[2].startsWith("file://") ? decodeURIComponent(new URL(match[2]).pathname) : match[2];
  const wanted = path.basename(match[1]).replace(/\.[^.]+$/, "");
  try {
    const lines = readFileSync(importer, "utf8").split("\n");
    const index = lines.findIndex((line) => /\bimport\b|\bfrom\b/.test(line) && line.includes(wanted));
    if (index >= 0)
      return { file: importer, line: index + 1, column: (lines[index]?.indexOf(wanted) ?? 0) + 1 };
  } catch {
    // The importer is unreadable; the message alone must do.
  }
  return { file, line: 1, column: 1 };
}
