// Issue 12 point 2: links to the API are built next to its routes, not by the scheduler.
import { describe, expect, it } from "vitest";
import { apiLinks } from "../../src/server/routes/api-links.ts";

describe("apiLinks", () => {
  it.each([
    {
      runId: "etl__manual__1",
      taskId: "load",
      try: 2,
      url: "http://h:8080/api/runs/etl__manual__1/tasks/load/logs?try=2",
    },
    { runId: "a b/c", taskId: "t?x", try: 1, url: "http://h:8080/api/runs/a%20b%2Fc/tasks/t%3Fx/logs?try=1" },
  ])("links a try's log: $url", ({ url, ...key }) => {
    let base = "http://h:8080";
    const links = apiLinks(() => base);
    expect(links.taskLog(key)).toBe(url);
    base = "http://later";
    expect(links.taskLog(key).startsWith("http://later/api/runs/")).toBe(true);
  });
});
