/**
 * A daily DAG (06:00 UTC) whose one task appends `start <ds> <try>` and, after `sleepMs`,
 * `end <ds> <try>` to `eventsFile`, and fails while `failFile` names its ds.
 */
export function dailyDag(
  id: string,
  eventsFile: string,
  failFile: string,
  sleepMs: number,
  retries = 0,
): string {
  const script = [
    `const fs = require("node:fs");`,
    `const ds = "{{ ds }}", t = "{{ try_number }}";`,
    `fs.appendFileSync(${JSON.stringify(eventsFile)}, "start " + ds + " " + t + "\\n");`,
    `setTimeout(() => {`,
    `  fs.appendFileSync(${JSON.stringify(eventsFile)}, "end " + ds + " " + t + "\\n");`,
    `  const failing = fs.existsSync(${JSON.stringify(failFile)}) ? fs.readFileSync(${JSON.stringify(failFile)}, "utf8") : "";`,
    `  if (failing.includes(ds)) { console.log("failing " + ds); process.exit(1); }`,
    `  console.log("done " + ds + " with " + process.argv[1]);`,
    `}, ${sleepMs});`,
  ].join(" ");
  return `import { dag, pod } from "updraft";
export default dag({
  id: ${JSON.stringify(id)},
  schedule: "0 6 * * *",
  catchup: false,
  retries: ${retries},
  retryDelay: "1s",
  tasks: [
    pod({ id: "work", image: "node:20-alpine", command: ${JSON.stringify(["node", "-e", script])}, args: ["{{ dag_run.conf }}"] }),
  ],
});
`;
}

/**
 * The most dates running at once in an events file: a date runs from a `start` to the `end` of
 * that same try; a later try of the date replaces an earlier one that never ended (interrupted).
 */
export function maxOverlap(events: string): number {
  const running = new Map<string, string>();
  let most = 0;
  for (const line of events.split("\n")) {
    const [kind, ds, attempt] = line.split(" ");
    if (ds === undefined || attempt === undefined) continue;
    if (kind === "start") running.set(ds, attempt);
    else if (kind === "end" && running.get(ds) === attempt) running.delete(ds);
    most = Math.max(most, running.size);
  }
  return most;
}

/** How often each `<ds> <try>` started. */
export function startsOf(events: string): Map<string, number> {
  const starts = new Map<string, number>();
  for (const line of events.split("\n"))
    if (line.startsWith("start ")) starts.set(line.slice(6), (starts.get(line.slice(6)) ?? 0) + 1);
  return starts;
}
