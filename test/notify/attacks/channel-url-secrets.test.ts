// Attack on #16 point 1: a Slack or webhook URL carries its secret in its path. Declared by a DAG
// (or given as --notify-slack / --notify-url), it must not be served by the API, the page, the
// metrics or the daemon's log: only its host shows.
import { describe, expect, it } from "vitest";
import { daemonFolders } from "../../support/dag-folders.ts";
import { startTestDaemon } from "../../support/test-daemon.ts";
import { useCleanup } from "../../support/use-cleanup.ts";
import { waitFor } from "../../support/wait-for.ts";
import { webhookReceiver } from "../../support/webhook-receiver.ts";

const DAG_SECRET = "B0DAG/XsecretFromTheDag";
const DAEMON_SECRET = "B0DAEMON/XsecretOfTheDaemon";
const OLD_SECRET = "old-onfailure-secret-path";

describe("channel URLs (their path is their secret)", () => {
  const cleanup = useCleanup();

  it("are not served by the DAG and run API, the page, /metrics, /api/notifications or logged", async () => {
    const receiver = await webhookReceiver(cleanup, { answer: () => ({ status: 404, body: "no_service" }) });
    const dag = `import { dag, pod } from "updraft";
export default dag({ id: "leaky", schedule: null,
  onFailure: { url: "${receiver.url}/${OLD_SECRET}" },
  notify: { onFailure: [{ slack: "${receiver.url}/services/T0/${DAG_SECRET}" }] },
  tasks: [pod({ id: "boom", image: "busybox", command: ["sh", "-c", "exit 3"],
    notify: { onRetry: [{ webhook: "${receiver.url}/hook/${DAG_SECRET}-task" }] } })] });
`;
    const { dagsDir, stateDir } = await daemonFolders(cleanup, "url-secrets", { "leaky.ts": dag });
    const daemon = await startTestDaemon(cleanup, [
      ...["--dags", dagsDir, "--state-dir", stateDir, "--executor", "local"],
      ...["--notify-slack", `${receiver.url}/services/T1/${DAEMON_SECRET}`],
    ]);
    await waitFor("the DAG loaded", async () => (await daemon.dags()).length === 1 || undefined);
    const run = await daemon.daemon.scheduler.trigger("leaky", {});
    // Every channel answers 404: each message becomes undeliverable, with its error.
    await waitFor("the failure's messages given up on", async () =>
      (await daemon.request("/api/notifications")).body.undeliverable.length >= 3 ? true : undefined,
    );
    const texts = [];
    for (const url of [
      "/api/dags",
      "/api/dags/leaky",
      `/api/runs/${encodeURIComponent(run.id)}`,
      "/api/dags/leaky/runs",
      "/api/notifications",
      "/metrics",
      "/",
      "/dags/leaky",
      `/runs/${encodeURIComponent(run.id)}`,
    ]) {
      const response = await daemon.request(url);
      texts.push(`${url}: ${response.text}`);
    }
    texts.push(...daemon.logs);
    for (const secret of [DAG_SECRET, DAEMON_SECRET, OLD_SECRET]) {
      const leaks = texts.filter((text) => text.includes(secret)).map((text) => text.slice(0, 200));
      expect(leaks, secret).toEqual([]);
    }
    // The channels themselves are still shown by their host.
    const dagView = (await daemon.request("/api/dags/leaky")).text;
    expect(dagView).toContain(new URL(receiver.url).host);
  });
});
