/** Source lines of `count` no-op tasks `t0 … tN`, each depending on the one before (a DAG module's `tasks`). */
export function taskChainLines(count: number): string[] {
  return Array.from(
    { length: count },
    (_, t) =>
      `  pod({ id: "t${t}", image: "busybox:1.36", command: ["true"]${t === 0 ? "" : `, dependsOn: ["t${t - 1}"]`} }),`,
  );
}
