// Issue 12 point 2: links into the daemon are built next to its routes, not by the scheduler;
// notifications (issue #16 point 2) link to the run, the try's log and the sync on the page.
import { describe, expect, it } from "vitest";
import { pageLinks } from "../../src/server/page/page-links.ts";

describe("pageLinks", () => {
  it.each([
    {
      runId: "etl__manual__1",
      taskId: "load",
      try: 2,
      run: "http://h:8080/runs/etl__manual__1",
      log: "http://h:8080/runs/etl__manual__1/tasks/load/logs?try=2",
    },
    {
      runId: "a b/c",
      taskId: "t?x",
      try: 1,
      run: "http://h:8080/runs/a%20b%2Fc",
      log: "http://h:8080/runs/a%20b%2Fc/tasks/t%3Fx/logs?try=1",
    },
  ])("links a run and a try's log: $log", ({ run, log, ...key }) => {
    let base = "http://h:8080/";
    const links = pageLinks(() => base);
    expect(links.run(key.runId)).toBe(run);
    expect(links.taskLog(key)).toBe(log);
    base = "https://updraft.example";
    expect(links.taskLog(key).startsWith("https://updraft.example/runs/")).toBe(true);
  });

  it("links a sync by its commit's row on /syncs", () => {
    expect(pageLinks(() => "https://u.example").sync("0123456789abcdef0123")).toBe(
      "https://u.example/syncs#sync-0123456789ab",
    );
  });
});
