// Issue #16 point 3 with the real `updraft run`: failures are queued for two webhooks, one answering
// everything, one answering its first message and holding the next open; the daemon is kill -9ed.
// Restarted on the same state dir with both answering, every notification arrives at least once on
// each channel, and none that was answered 2xx before the kill arrives again.
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../support/dag-folders.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { POLL, startDaemonProcess } from "./support/daemon-process.ts";

interface Post {
  path: string;
  key: string;
  digest: boolean;
  ids: string[];
  phase: "before" | "after";
  answered: number | null;
}

/** A webhook receiver that answers 200, except what `hold` picks before the kill: left open. */
async function holdingReceiver(
  cleanup: ReturnType<typeof useCleanup>,
  hold: (post: Post, nth: number) => boolean,
) {
  const posts: Post[] = [];
  const held: ServerResponse[] = [];
  const state = { phase: "before" as Post["phase"] };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
        id: string;
        event: string;
        notifications?: Array<{ id: string }>;
      };
      const path = request.url ?? "";
      const post: Post = {
        path,
        key: String(request.headers["idempotency-key"]),
        digest: body.event === "digest",
        ids: body.event === "digest" ? (body.notifications ?? []).map((n) => n.id) : [body.id],
        phase: state.phase,
        answered: null,
      };
      const nth = posts.filter((p) => p.path === path).length;
      posts.push(post);
      if (state.phase === "before" && hold(post, nth)) {
        held.push(response);
        return;
      }
      post.answered = 200;
      response.writeHead(200);
      response.end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanup.defer(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, held, state };
}

/**
 * Waits until the daemon has recorded `count` deliveries as done (delivered.log, fsynced): a
 * receiver's 200 is only an acknowledgement once the daemon has stored it; killed before that,
 * the message is rightly sent again (at least once).
 */
async function recorded(stateDir: string, count: number): Promise<void> {
  const file = path.join(stateDir, "outbox", "delivered.log");
  await waitFor(
    `${count} deliveries recorded in delivered.log`,
    async () => {
      const text = await readFile(file, "utf8").catch(() => "");
      return text.split("\n").filter(Boolean).length >= count ? true : undefined;
    },
    POLL,
  );
}

const TASKS = ["a", "b", "c", "d"];
const failing = (url: string) => `import { dag, pod } from "updraft";
export default dag({ id: "doomed", schedule: null, retries: 0,
  notify: { onFailure: [{ webhook: "${url}/ok" }, { webhook: "${url}/mixed" }] },
  tasks: ${JSON.stringify(TASKS)}.map((id) => pod({ id, image: "busybox", command: ["sh", "-c", "echo no; exit 2"] })) });
`;

describe("kill -9 with notifications pending", () => {
  const cleanup = useCleanup("file");

  it("sends what was pending after the restart, and nothing again that was acknowledged", async () => {
    const receiver = await holdingReceiver(cleanup, (post, nth) => post.path === "/mixed" && nth > 0);
    const { dagsDir, stateDir } = await daemonFolders(cleanup, "notify-kill9", {
      "doomed.ts": failing(receiver.url),
    });
    const options = { dagsDir, stateDir, extraArgs: ["--executor", "local", "--notify-digest-window", "1s"] };
    const first = await startDaemonProcess(cleanup, options);
    await first.waitForDags(["doomed"]);
    const created = await first.post("/api/dags/doomed/runs", {});
    expect(created.status, created.text).toBe(201);
    const runId: string = created.body.runId;
    const expected = TASKS.map((task) => `failure:${runId}:${task}:1`).sort();
    const idsAt = (path: string, phase?: Post["phase"]) =>
      receiver.posts.filter((p) => p.path === path && (!phase || p.phase === phase)).flatMap((p) => p.ids);

    await waitFor(
      "/ok to have all four and /mixed one answered, one held",
      () => (idsAt("/ok").length === 4 && receiver.held.length === 1 ? true : undefined),
      { ...POLL, details: () => receiver.posts },
    );
    const acknowledged = receiver.posts.filter((p) => p.answered === 200);
    expect(acknowledged.filter((p) => p.path === "/mixed")).toHaveLength(1);
    await recorded(stateDir, acknowledged.flatMap((p) => p.ids).length);
    await first.kill9();
    receiver.state.phase = "after";

    const second = await startDaemonProcess(cleanup, options);
    await waitFor(
      "every notification on /mixed after the restart",
      () => (new Set(idsAt("/mixed")).size === 4 ? true : undefined),
      { ...POLL, details: () => receiver.posts },
    );
    expect([...new Set(idsAt("/mixed"))].sort()).toEqual(expected);
    expect([...idsAt("/ok")].sort()).toEqual(expected);
    // The held request came again with the same Idempotency-Key.
    const heldKey = receiver.posts.find((p) => p.path === "/mixed" && p.answered === null)?.key;
    expect(receiver.posts.filter((p) => p.phase === "after" && p.key === heldKey)).toHaveLength(1);
    // Once the restarted outbox has nothing pending, it has sent all it (rightly or wrongly) still had.
    await waitFor(
      "the restarted outbox to be empty",
      async () =>
        /^updraft_outbox_pending_messages 0$/m.test((await second.request("/metrics")).text)
          ? true
          : undefined,
      POLL,
    );
    const after = receiver.posts.filter((p) => p.phase === "after");
    const resentAcknowledged = after.filter((p) =>
      acknowledged.some(
        (a) => a.path === p.path && (a.key === p.key || p.ids.some((id) => a.ids.includes(id))),
      ),
    );
    expect(resentAcknowledged).toEqual([]);
    expect(after.every((p) => p.path === "/mixed")).toBe(true);
    expect(second.output()).not.toMatch(/"level":"?(error|50)/);
  }, 120_000);

  it("resends a digest cut off by the kill with the same id and members, and no single again", async () => {
    const receiver = await holdingReceiver(cleanup, (post) => post.digest);
    const tasks = ["a", "b", "c", "d", "e", "f"];
    const source = `import { dag, pod } from "updraft";
export default dag({ id: "many", schedule: null, retries: 0,
  notify: { onFailure: [{ webhook: "${receiver.url}/burst" }] },
  tasks: ${JSON.stringify(tasks)}.map((id) => pod({ id, image: "busybox", command: ["sh", "-c", "exit 2"] })) });
`;
    const { dagsDir, stateDir } = await daemonFolders(cleanup, "notify-kill9-digest", { "many.ts": source });
    const options = { dagsDir, stateDir, extraArgs: ["--executor", "local", "--notify-digest-window", "3s"] };
    const first = await startDaemonProcess(cleanup, options);
    await first.waitForDags(["many"]);
    const created = await first.post("/api/dags/many/runs", {});
    expect(created.status, created.text).toBe(201);
    const runId: string = created.body.runId;
    await waitFor(
      "3 singles answered and a digest held",
      () =>
        receiver.held.length >= 1 && receiver.posts.filter((p) => p.answered === 200).length >= 3
          ? true
          : undefined,
      { ...POLL, details: () => receiver.posts },
    );
    expect(receiver.held).toHaveLength(1);
    expect(receiver.posts.filter((p) => p.answered === 200)).toHaveLength(3);
    const heldDigest = receiver.posts.find((p) => p.digest);
    expect(heldDigest?.ids).toHaveLength(3);
    const singles = receiver.posts.filter((p) => !p.digest);
    await recorded(stateDir, 3);
    await first.kill9();
    receiver.state.phase = "after";

    const second = await startDaemonProcess(cleanup, options);
    // The pending gauge reads 0 until the restarted outbox has loaded its folder: wait for the resend first.
    await waitFor(
      "the digest sent again",
      () => (receiver.posts.some((p) => p.phase === "after") ? true : undefined),
      { ...POLL, details: () => receiver.posts },
    );
    await waitFor(
      "the restarted outbox to be empty",
      async () =>
        /^updraft_outbox_pending_messages 0$/m.test((await second.request("/metrics")).text)
          ? true
          : undefined,
      POLL,
    );
    const after = receiver.posts.filter((p) => p.phase === "after");
    expect(after.map((p) => [p.key, p.ids])).toEqual([[heldDigest?.key, heldDigest?.ids]]);
    const all = [...singles.flatMap((p) => p.ids), ...(heldDigest?.ids ?? [])].sort();
    expect(all).toEqual(tasks.map((task) => `failure:${runId}:${task}:1`).sort());
  }, 120_000);
});
