/** Git for the sync bench: a clean environment, a work clone that pushes to a local bare remote. */
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { type DagRepo, generateDagRepo, reviseDag } from "./dag-repo.ts";

const execFileAsync = promisify(execFile);

/** No user or system git config, a fixed identity, no GIT_* variables from whatever started the bench. */
export const BENCH_GIT_ENV: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toUpperCase().startsWith("GIT_"))),
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Updraft Bench",
  GIT_AUTHOR_EMAIL: "bench@updraft.invalid",
  GIT_COMMITTER_NAME: "Updraft Bench",
  GIT_COMMITTER_EMAIL: "bench@updraft.invalid",
  GIT_TERMINAL_PROMPT: "0",
};

/** Runs `git args` in `cwd`; resolves to its trimmed stdout. */
export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", args, {
    cwd,
    env: BENCH_GIT_ENV,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout.trim();
}

/** A work clone holding a generated DAG repository under `dagsDir`, pushing to a bare remote. */
export interface PushingRepo {
  clone: string;
  remote: string;
  dagsDir: string;
  dags: DagRepo;
}

/**
 * Generates `count` DAG modules under `<clone>/<dagsDir>`, commits them and pushes `branch` to a
 * new bare repository at `remote`. Every DAG is paused on creation so the daemon's scheduler
 * starts no task processes while the bench measures syncs.
 */
export async function createPushingRepo(options: {
  clone: string;
  remote: string;
  dagsDir: string;
  branch: string;
  count: number;
}): Promise<PushingRepo> {
  const { clone, remote, dagsDir, branch, count } = options;
  await git(path.dirname(remote), "init", "--quiet", "--bare", `--initial-branch=${branch}`, remote);
  const dags = await generateDagRepo(path.join(clone, dagsDir), count);
  await Promise.all(dags.dags.map((dag) => pauseOnCreation(path.join(dags.root, dag.file))));
  await git(clone, "init", "--quiet", `--initial-branch=${branch}`);
  await git(clone, "remote", "add", "origin", remote);
  await git(clone, "add", "--all");
  await git(clone, "commit", "--quiet", "-m", `${count} generated DAGs`);
  await git(clone, "push", "--quiet", "origin", branch);
  return { clone, remote, dagsDir, dags };
}

/** Rewrites DAG `index` so that its description names `revision`, and commits it; returns the commit. */
export async function commitRevision(
  repo: PushingRepo,
  index: number,
  revision: number,
): Promise<{ sha: string; id: string }> {
  const dag = await reviseDag(repo.dags, index, revision);
  const file = path.join(repo.dags.root, dag.file);
  await pauseOnCreation(file);
  await git(repo.clone, "commit", "--quiet", "-m", `${dag.id}: revision ${revision}`, "--", file);
  return { sha: await git(repo.clone, "rev-parse", "HEAD"), id: dag.id };
}

async function pauseOnCreation(file: string): Promise<void> {
  const source = await readFile(file, "utf8");
  if (source.includes("pausedOnCreation")) return;
  await writeFile(file, source.replace("\n  retries: ", "\n  pausedOnCreation: true,\n  retries: "));
}
