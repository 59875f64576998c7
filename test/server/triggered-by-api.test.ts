// Issue 13 point 7: the API and the pages show who triggered a manual run.
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { type PageFixture, pageFixture } from "./page-fixture.ts";

const cleanup = useCleanup("file");
const ALICE = "alice@example.com";
let fixture: PageFixture;
let runId: string;
beforeAll(async () => {
  fixture = await pageFixture(cleanup);
  runId = (await fixture.scheduler.trigger("everything", {}, { by: ALICE })).id;
});

async function json(path: string): Promise<unknown> {
  const response = await fixture.app.request(path);
  expect(response.status).toBe(200);
  return response.json();
}
async function text(path: string): Promise<string> {
  const response = await fixture.app.request(path);
  expect(response.status).toBe(200);
  return (await response.text()).replace(/\s+/g, " ");
}

describe("triggeredBy over HTTP", () => {
  it("is in the run's JSON and in the DAG's run list", async () => {
    expect(await json(`/api/runs/${runId}`)).toMatchObject({
      id: runId,
      trigger: "manual",
      triggeredBy: ALICE,
    });
    const runs = (await json("/api/dags/everything/runs")) as Array<{ id: string; triggeredBy?: string }>;
    expect(runs.find((run) => run.id === runId)?.triggeredBy).toBe(ALICE);
  });

  it("is absent from a run that does not know who triggered it", async () => {
    const other = fixture.everyTaskState.id;
    expect(await json(`/api/runs/${other}`)).not.toHaveProperty("triggeredBy");
    const runs = (await json("/api/dags/everything/runs")) as Array<{ id: string }>;
    expect(runs.find((run) => run.id === other)).not.toHaveProperty("triggeredBy");
  });

  it("shows on the run page, the DAG page's and the status page's run rows", async () => {
    expect(await text(`/runs/${runId}`)).toContain(`<dd>manual · by ${ALICE}</dd>`);
    expect(await text("/dags/everything")).toContain(`<td>manual · by ${ALICE}</td>`);
    expect(await text("/")).toContain(`<td>manual · by ${ALICE}</td>`);
  });
});
