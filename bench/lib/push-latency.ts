/** Push → live measurements against a running daemon: through its webhook, or through its polling. */
import { setTimeout as sleep } from "node:timers/promises";
import { type DaemonProcess, waitForDescription, waitIdleAfter } from "./daemon-process.ts";
import { dagDescription } from "./dag-repo.ts";
import { commitRevision, git, type PushingRepo } from "./git-bench.ts";

/** One entry of `GET /api/syncs`, as far as the benches read it. */
export interface SyncRecordBody {
  at: string;
  sha: string | null;
  ok: boolean;
  durationMs: number;
  /** Milliseconds per step of the sync (git mode). */
  steps?: Record<string, number>;
}

export interface PushOptions {
  daemon: DaemonProcess;
  repo: PushingRepo;
  branch: string;
  pushes: number;
  /** Revision number of the first push (each push changes one DAG's description to name its revision). */
  firstRevision: number;
  /** How often GET /api/dags/:id is asked whether the change is live. */
  probeEveryMs: number;
  /** Pause before each push, plus a random part up to `randomDelayMs`. */
  settleMs: number;
  randomDelayMs?: number;
  /** Records a failed correctness check. */
  check: (ok: boolean, failure: string) => void;
}

/** Which commit a push made and what it changed. */
export interface Pushed {
  previous: string;
  sha: string;
  id: string;
  description: string;
}

/**
 * Pushes a 1-file change `pushes` times, sends the signed webhook at once and waits for the change
 * to be visible; then waits for the daemon to be idle and runs `afterEach` (untimed).
 */
export async function webhookPushes(
  options: PushOptions & { secret: string; afterEach: (pushed: Pushed) => Promise<void> },
) {
  const { daemon, branch, check } = options;
  const result = {
    live: [] as number[],
    answers: [] as number[],
    probes: [] as number[],
    durations: [] as number[],
  };
  const pushes = await eachPush(options, async (pushed, pushedAt) => {
    const status = await daemon.pushWebhook(options.secret, `refs/heads/${branch}`, pushed.sha);
    result.answers.push(performance.now() - pushedAt);
    check(status === 202, `the webhook answered ${status}, not 202`);
    const { commit, probes } = await waitForDescription(
      daemon,
      pushed.id,
      pushed.description,
      options.probeEveryMs,
    );
    result.live.push(performance.now() - pushedAt);
    result.probes.push(probes);
    check(commit === pushed.sha, `${pushed.id} shows its new description from ${commit}, not ${pushed.sha}`);
    await waitIdleAfter(daemon, pushed.sha);
    await options.afterEach(pushed);
  });
  const records = await syncRecords(options, pushes);
  check(
    (await daemon.getJson<SyncRecordBody[]>("/api/syncs?limit=200")).length === pushes.length + 1,
    "the daemon did not make exactly one sync record per push (+ the first load)",
  );
  return {
    ...result,
    durations: records.map((record) => record?.durationMs ?? Number.NaN),
    steps: records.map((record) => record?.steps ?? {}),
  };
}

/**
 * Pushes a 1-file change `pushes` times at random moments (so that each lands at a random point
 * of the poll period) and waits for each to be visible; the daemon must find it by polling.
 */
export async function polledPushes(options: PushOptions) {
  const live: number[] = [];
  const pushedAt = new Map<string, number>();
  const pushes = await eachPush(options, async (pushed, at) => {
    pushedAt.set(pushed.sha, Date.now());
    const { commit } = await waitForDescription(
      options.daemon,
      pushed.id,
      pushed.description,
      options.probeEveryMs,
    );
    live.push(performance.now() - at);
    options.check(
      commit === pushed.sha,
      `${pushed.id} shows its new description from ${commit}, not ${pushed.sha}`,
    );
  });
  const records = await syncRecords(options, pushes);
  return {
    live,
    /** From the push to the start of the sync that took it (its record's `at`). */
    waits: records.map((record, index) =>
      record ? Date.parse(record.at) - (pushedAt.get(pushes[index]?.sha ?? "") ?? Number.NaN) : Number.NaN,
    ),
    durations: records.map((record) => record?.durationMs ?? Number.NaN),
  };
}

async function eachPush(
  options: PushOptions,
  measure: (pushed: Pushed, pushedAt: number) => Promise<void>,
): Promise<Pushed[]> {
  const { repo, branch } = options;
  const pushes: Pushed[] = [];
  let previous = await git(repo.clone, "rev-parse", "HEAD");
  for (
    let revision = options.firstRevision;
    revision < options.firstRevision + options.pushes;
    revision += 1
  ) {
    await sleep(options.settleMs + Math.random() * (options.randomDelayMs ?? 0));
    const index = (revision * 97 + 1) % repo.dags.dags.length;
    const { sha, id } = await commitRevision(repo, index, revision);
    await git(repo.clone, "push", "--quiet", "origin", branch);
    const pushedAt = performance.now();
    const pushed = { previous, sha, id, description: dagDescription(index, revision) };
    await measure(pushed, pushedAt);
    pushes.push(pushed);
    previous = sha;
  }
  return pushes;
}

async function syncRecords(options: PushOptions, pushes: readonly Pushed[]) {
  const records = await options.daemon.getJson<SyncRecordBody[]>("/api/syncs?limit=200");
  return pushes.map(({ sha }) => {
    const record = records.find((candidate) => candidate.sha === sha);
    options.check(record?.ok === true, `the sync record of ${sha} is ${JSON.stringify(record)}`);
    return record;
  });
}
