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

/** Parent → loader process. Paths are absolute; `root` is the DAGs folder. */
export interface LoadRequest {
  type: "load";
  requestId: number;
  root: string;
  file: string;
}

/** Loader process → parent. */
export type LoaderMessage =
  { type: "ready" } | { type: "loaded"; requestId: number; result: ModuleLoadResult };
