// Shared settings for the ETL DAGs: a helper, not a DAG module (it does not import updraft).
export const NODE_IMAGE = "node:20-alpine";

/** A `node -e` command line: the local executor runs it as a process, a Pod runs it in NODE_IMAGE. */
export function nodeScript(source: string): string[] {
  return ["node", "-e", source];
}
