// Issue 15 point 1 under races: a stop that meets the run's own end (the executor's end report
// arriving meanwhile) is answered 200 (the run ends stopped) or 409 (it had ended), never a 5xx,
// and what the answer says is what the run shows afterwards.
import { describe, expect, it } from "vitest";
import { startFolderDaemon } from "../support/ready-daemon.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";

const cleanup = useCleanup("file");

const DAG = `import { dag, pod } from "updraft";
export default dag({ id: "quick", schedule: null, retries: 2, tasks: [
  pod({ id: "a", image: "busybox:1.36", command: ["node", "-e", "setTimeout(() => {}, Number('{{ dag_run.conf.ms }}'))"] }),
  pod({ id: "b", image: "busybox:1.36", dependsOn: ["a"], command: ["node", "-e", "0"] }),
] });
`;

describe("stop racing with the run's own end", () => {
  it("answers 200 or 409, never 5xx, and the run shows what the answer said", async () => {
    const { daemon } = await startFolderDaemon(cleanup, "stop-race", { "quick.ts": DAG });
    const post = (path: string, body = "") =>
      daemon.request(path, { method: "POST", headers: { "content-type": "application/json" }, body });
    const outcomes: string[] = [];
    for (let i = 0; i < 16; i++) {
      const created = await post("/api/dags/quick/runs", JSON.stringify({ conf: { ms: (i % 4) * 30 } }));
      expect(created.status, created.text).toBe(201);
      const runId: string = created.body.runId;
      // Stops later and later in its life (a race needs real time here): before, while and after its tasks end.
      const answers = [];
      for (let j = 0; j < 6; j++) {
        await new Promise((resolve) => setTimeout(resolve, i * 12));
        answers.push(await post(`/api/runs/${runId}/stop`));
      }
      for (const answer of answers) expect([200, 409], answer.text).toContain(answer.status);
      const final = await waitFor("the run to be final", async () => {
        const run = (await daemon.request(`/api/runs/${runId}`)).body;
        return run?.state === "success" || run?.state === "failed" ? run : undefined;
      });
      const stopped = answers.filter((a) => a.status === 200);
      expect(stopped.length, JSON.stringify(answers.map((a) => a.status))).toBeLessThanOrEqual(1);
      if (stopped.length === 1) {
        expect(final).toMatchObject({ state: "failed", reason: "stopped by local user" });
        // No try of a stopped run ran again.
        expect(
          final.tasks.every((t: { try: number }) => t.try <= 1),
          JSON.stringify(final.tasks),
        ).toBe(true);
        outcomes.push("stopped");
      } else {
        expect(final.state).toBe("success");
        outcomes.push("finished");
      }
    }
    console.log(outcomes.join(" "));
  }, 120_000);
});
