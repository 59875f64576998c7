import { describe, expect, it } from "vitest";
import type { Backfill } from "../../src/runs/backfill-model.ts";
import { backfillPanel } from "../../src/server/page/backfill-panel.ts";
import { idRecord } from "../../src/store/id-record.ts";

function backfill(id: string, state: Backfill["state"], createdAt: string): Backfill {
  return {
    id,
    dagId: "days",
    from: "2026-11-01T00:00:00.000Z",
    to: "2026-11-30T23:59:59.999Z",
    rerun: "missing",
    reverse: false,
    maxActiveRuns: 3,
    conf: {},
    state,
    createdAt,
    endedAt: state === "running" ? null : createdAt,
    cursor: null,
    planned: 30,
    active: state === "running" ? ["r1", "r2"] : [],
    created: 12,
    kept: 0,
    succeeded: 10,
    failed: 0,
  };
}

const all = idRecord({
  older: backfill("older", "success", "2026-12-01T00:00:00.000Z"),
  newer: backfill("newer", "running", "2026-12-02T00:00:00.000Z"),
  other: { ...backfill("other", "running", "2026-12-03T00:00:00.000Z"), dagId: "another" },
});
const urls = (text: string) => [...text.matchAll(/data-url="([^"]+)"/g)].map((match) => match[1]);

describe("the DAG page's backfill panel", () => {
  it("gives an operator the form and a cancel button for the running backfill, newest first", () => {
    const text = backfillPanel("days", all, true, true).toString();
    expect(urls(text)).toEqual(["/api/dags/days/backfills", "/api/backfills/newer/cancel"]);
    expect([...text.matchAll(/data-backfill="([^"]+)"/g)].map((match) => match[1])).toEqual([
      "newer",
      "older",
    ]);
    expect(text).toContain('name="rerun"');
    expect(text).toContain('name="reverse"');
  });

  it("shows a viewer the progress only, and a DAG without a schedule no form", () => {
    expect(urls(backfillPanel("days", all, false, true).toString())).toEqual([]);
    expect(backfillPanel("days", all, false, true).toString()).toContain("<td data-succeeded>10</td>");
    expect(backfillPanel("manual", idRecord<Backfill>(), true, false)).toBe("");
  });
});
