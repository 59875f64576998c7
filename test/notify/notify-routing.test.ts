// Issue #16 point 1: which channels each event goes to (task list over DAG list, the old
// onFailure URL, the daemon-wide defaults), each channel once.
import { describe, expect, it } from "vitest";
import type { Channel, NotifyEvent } from "../../src/notify/notification.ts";
import { channelsFor, type NotifyDeclarations } from "../../src/notify/routing/notify-routing.ts";

const DAG: NotifyDeclarations = {
  notify: {
    onFailure: [{ email: ["Team@X.example"] }, { webhook: "http://h.example/dag-fail" }],
    onRetry: [{ slack: "https://s.example/dag-retry" }],
    onSuccess: [{ webhook: "http://h.example/dag-ok" }],
    onMissedSchedule: [{ webhook: "http://h.example/dag-missed" }],
  },
  onFailure: { url: "http://h.example/old" },
  tasks: [
    {
      id: "own",
      notify: {
        onFailure: [{ webhook: "http://h.example/task-fail" }],
        onSuccess: [{ webhook: "http://h.example/task-ok" }],
      },
    },
    { id: "silent", notify: { onFailure: [], onRetry: [] } },
    { id: "plain" },
  ],
};
const DEFAULTS: Channel[] = [
  { type: "email", to: ["ops@x.example"] },
  { type: "webhook", url: "http://h.example/daemon" },
];
const daemon = { defaults: DEFAULTS, onSyncFailure: false };

const names = (channels: Channel[]) =>
  channels.map((channel) =>
    channel.type === "email"
      ? `email:${channel.to.join(",")}`
      : channel.url.replace("http://h.example/", "").replace("https://s.example/", "slack:"),
  );

const CASES: Array<[NotifyEvent, string | null, NotifyDeclarations | undefined, string[]]> = [
  ["failure", "plain", DAG, ["email:team@x.example", "dag-fail", "old", "email:ops@x.example", "daemon"]],
  ["failure", "own", DAG, ["task-fail", "old", "email:ops@x.example", "daemon"]],
  ["failure", "silent", DAG, ["old", "email:ops@x.example", "daemon"]],
  ["retry", "plain", DAG, ["slack:dag-retry"]],
  ["retry", "own", DAG, ["slack:dag-retry"]],
  ["retry", "silent", DAG, []],
  ["success", null, DAG, ["dag-ok"]],
  ["success", "own", DAG, ["task-ok"]],
  ["success", "plain", DAG, []],
  ["missed_schedule", null, DAG, ["dag-missed", "old", "email:ops@x.example", "daemon"]],
  ["sync_failure", null, undefined, []],
  ["failure", "gone", undefined, ["email:ops@x.example", "daemon"]],
  ["failure", "x", { tasks: [], onFailure: null }, ["email:ops@x.example", "daemon"]],
];

describe("channelsFor", () => {
  it.each(CASES)("%s of task %s", (event, task, dag, expected) => {
    expect(names(channelsFor(event, dag, task, daemon))).toEqual(expected);
  });

  it("sends sync failures to the defaults only with --notify-on-sync-failure", () => {
    expect(
      names(channelsFor("sync_failure", undefined, null, { defaults: DEFAULTS, onSyncFailure: true })),
    ).toEqual(["email:ops@x.example", "daemon"]);
  });

  it("names each channel once: the old onFailure URL equal to --notify-url, the same addresses in another order or case", () => {
    const dag: NotifyDeclarations = {
      notify: {
        onFailure: [{ email: ["B@x.example", "a@x.example"] }, { webhook: "http://h.example/daemon" }],
      },
      onFailure: { url: "http://h.example/daemon" },
      tasks: [],
    };
    const defaults: Channel[] = [{ type: "email", to: ["a@x.example", "b@x.example"] }, ...DEFAULTS.slice(1)];
    expect(names(channelsFor("failure", dag, "t", { defaults, onSyncFailure: false }))).toEqual([
      "email:a@x.example,b@x.example",
      "daemon",
    ]);
  });

  it("finds a task named like an Object.prototype key only when the DAG has it", () => {
    expect(names(channelsFor("retry", DAG, "constructor", daemon))).toEqual(["slack:dag-retry"]);
    expect(names(channelsFor("success", DAG, "__proto__", daemon))).toEqual([]);
  });
});
