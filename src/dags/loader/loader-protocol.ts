import type { DagDefinition } from "../spec/dag-schema.ts";
import type { LoadError } from "./load-error.ts";

/** A DAG found in a module, with where its `dag()` call is. */
export interface LoadedDag {
  dag: DagDefinition;
  file: string;
  line: number | null;
}

/** What loading one DAG module produced: zero or more DAGs and zero or more errors. */
export interface ModuleLoadResult {
  file: string;
  dags: LoadedDag[];
  errors: LoadError[];
}

/**
 * One source file as the loader process evaluates it, compiled by the daemon: JavaScript with the
 * source map that leads stack frames back to the author's lines, the text of a JSON file, or the
 * syntax error that stopped compilation (line 1-based, column 0-based, as esbuild reports them).
 */
export type CompiledSource =
  | { kind: "module"; code: string; map: string }
  | { kind: "json"; text: string }
  | { kind: "syntax-error"; line: number; column: number; message: string };

/** A compiled source file, by absolute path; null: there is no file at that path. */
export interface SourceFile {
  path: string;
  source: CompiledSource | null;
}

/**
 * Parent → loader process. Paths are absolute; `root` is the DAGs folder. A load request names
 * several modules, evaluated in order, one result each; `sources` carries the compiled files they
 * are expected to need (the process asks for any other with a `need` message).
 */
export type LoaderRequest =
  | { type: "load"; root: string; files: string[]; sources: SourceFile[] }
  | { type: "source"; path: string; source: CompiledSource | null };

/**
 * An exported DAG as a loader process sends it, for the daemon to validate (the loader's answer is
 * untrusted: DAG code runs in that process). `input` is the plain `dag({...})` value; the call
 * sites are the lines and columns of its `dag()` call and of each task's `pod()` call in the module
 * (null: not in the module), where the daemon places validation errors.
 */
export interface UncheckedDag {
  input: unknown;
  file: string;
  line: number | null;
  column: number | null;
  taskSites: Array<[line: number, column: number] | null>;
}

/**
 * A module's result as a loader process sends it. Each DAG is an UncheckedDag, or a LoadedDag the
 * loader validated itself because JSON would not carry its input unchanged (a Date, undefined):
 * the daemon checks that one against the schema again.
 */
export interface LoaderAnswer {
  file: string;
  dags: Array<UncheckedDag | LoadedDag>;
  errors: LoadError[];
}

/** Loader process → parent. `need` asks for the compiled file at `path` (null: no such file). */
export type LoaderMessage =
  { type: "ready" } | { type: "loaded"; result: LoaderAnswer } | { type: "need"; path: string };
