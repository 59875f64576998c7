// No Docker engine runs here, so this replays what the Dockerfile encodes, read from the file itself:
// the deps stage's `npm ci` on the files it copies, the final stage's COPY layout, its ENV, and its
// ENTRYPOINT + CMD, then checks the daemon serves /readyz. What it cannot replay (apt-get, useradd,
// the base image) is checked as text.
import { execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { cp, mkdir, readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { killProcess, MARKER_VARIABLE, markedProcesses } from "../daemon/support/processes.ts";
import { useCleanup } from "../support/use-cleanup.ts";
import { waitFor } from "../support/wait-for.ts";
import { copyBuildContext } from "./support/build-context.ts";
import {
  copiesOf,
  type CopyStep,
  envOf,
  instructionsOf,
  parseDockerfile,
  type Stage,
  execForm,
} from "./support/dockerfile.ts";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The init process the entrypoint starts with; it is not installed here, so the replay skips it. */
const INIT = ["/usr/bin/tini", "--"];

function workdirOf(stage: Stage): string {
  return instructionsOf(stage, "WORKDIR").at(-1)?.text ?? "/";
}

/** COPY into a stage's root folder: from the build context, or from an earlier stage's root. */
async function replayCopy(step: CopyStep, stageRoot: string, workdir: string, sourceRoot: string) {
  const destination = path.join(
    stageRoot,
    path.posix.isAbsolute(step.destination) ? "" : workdir,
    step.destination,
  );
  for (const source of step.sources) {
    const from = path.join(sourceRoot, source);
    const into = step.destination.endsWith("/") ? path.join(destination, path.basename(source)) : destination;
    await mkdir(path.dirname(into), { recursive: true });
    await cp(from, into, { recursive: true });
  }
}

describe("Dockerfile", () => {
  const cleanup = useCleanup();

  it(
    "installs production dependencies only and its entrypoint serves /readyz from the copied layout",
    { timeout: 600_000 },
    async () => {
      const { stages } = parseDockerfile(await readFile(path.join(REPO_ROOT, "Dockerfile"), "utf8"));
      const deps = stages.find((stage) => stage.name === "deps");
      const final = stages.at(-1);
      if (!deps || !final || deps === final) throw new Error("expected a `deps` stage and a final stage");

      // What can only be checked as text.
      expect(final.from).toMatch(/^node:20[\w.-]*-slim$/);
      const packages = instructionsOf(final, "RUN")
        .map((run) => run.text)
        .join("\n");
      expect(packages).toMatch(/apt-get install .*\bgit\b/);
      expect(packages).toMatch(/apt-get install .*\bopenssh-client\b/);
      expect(packages).toMatch(/apt-get install .*\btini\b/);
      const user = instructionsOf(final, "USER").at(-1)?.text ?? "";
      expect(user, "USER must be numeric for runAsNonRoot").toMatch(/^[1-9]\d*(:\d+)?$/);
      expect(stages.flatMap((stage) => instructionsOf(stage, "HEALTHCHECK"))).toEqual([]);
      const env = envOf(final);
      expect(env).toMatchObject({ UPDRAFT_HOST: "0.0.0.0", UPDRAFT_STATE_DIR: "/var/lib/updraft" });
      expect(
        instructionsOf(final, "VOLUME")
          .map((v) => v.text)
          .join(" "),
      ).toContain(env.UPDRAFT_STATE_DIR);
      const command = [
        ...execForm(instructionsOf(final, "ENTRYPOINT").at(-1)),
        ...execForm(instructionsOf(final, "CMD").at(-1)),
      ];
      expect(command.slice(0, INIT.length)).toEqual(INIT);
      expect(command.slice(INIT.length)).toEqual([
        "node",
        "--max-semi-space-size=2",
        "bin/updraft.mjs",
        "run",
      ]);

      const work = await cleanup.tempDir("dockerfile");
      const context = path.join(work, "context");
      await copyBuildContext(REPO_ROOT, context);

      // The deps stage: its COPYs, then the `npm ci` of its RUN (the cache clean is left out: it
      // would empty this machine's shared npm cache).
      const depsRoot = path.join(work, "stage-deps");
      for (const step of copiesOf(deps)) await replayCopy(step, depsRoot, workdirOf(deps), context);
      const install = instructionsOf(deps, "RUN")
        .flatMap((run) => run.text.split("&&").map((part) => part.trim()))
        .find((part) => part.startsWith("npm ci"));
      expect(install).toMatch(/--omit=dev/);
      const installArgs = (install ?? "").split(/\s+/).slice(1);
      await promisify(execFile)("npm", [...installArgs, "--prefer-offline"], {
        cwd: path.join(depsRoot, workdirOf(deps)),
        env: { ...process.env, npm_config_update_notifier: "false" },
        timeout: 480_000,
        maxBuffer: 16 * 1024 * 1024,
      });

      // The final stage's layout.
      const finalRoot = path.join(work, "stage-final");
      for (const step of copiesOf(final)) {
        const sourceRoot = step.from === undefined ? context : step.from === "deps" ? depsRoot : undefined;
        if (!sourceRoot) throw new Error(`COPY --from=${step.from} is not replayed by this test`);
        await replayCopy(step, finalRoot, workdirOf(final), sourceRoot);
      }
      const app = path.join(finalRoot, workdirOf(final));
      const installed = await readdir(path.join(app, "node_modules"));
      expect(installed).toEqual(expect.arrayContaining(["tsx", "esbuild", "hono", "cron-parser"]));
      for (const devOnly of ["vitest", "typescript", "eslint", "kubernetes-models", "playwright-core"])
        expect(installed, `${devOnly} is a dev dependency`).not.toContain(devOnly);
      await expect(stat(path.join(app, "test"))).rejects.toThrow(/ENOENT/);

      // The entrypoint, with the image's ENV; only port, state dir and HOME move to temp places,
      // and a copy of the example DAGs stands in for a repository.
      const dags = path.join(work, "dags");
      await cp(path.join(REPO_ROOT, "dags"), dags, { recursive: true });
      const marker = randomUUID();
      const inherited = Object.fromEntries(
        Object.entries(process.env).filter(
          ([name]) => !name.startsWith("UPDRAFT_") && !name.startsWith("KUBERNETES_"),
        ),
      );
      const [node, ...args] = command.slice(INIT.length);
      expect(node).toBe("node");
      const daemon = spawn(process.execPath, [...args, "--dags", dags], {
        cwd: app,
        env: {
          ...inherited,
          ...env,
          UPDRAFT_PORT: "0",
          UPDRAFT_STATE_DIR: path.join(work, "state"),
          HOME: path.join(work, "home"),
          [MARKER_VARIABLE]: marker,
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      daemon.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      daemon.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
      // The daemon exiting fails the wait at once instead of at its timeout.
      const exited = new Promise<never>((_, reject) =>
        daemon.once("exit", (code, signal) =>
          reject(new Error(`the daemon exited (${code ?? signal}):\n${output}`)),
        ),
      );
      exited.catch(() => {});
      cleanup.defer(async () => {
        for (const helper of await markedProcesses(marker)) killProcess(helper.pid);
      });

      const listening = await Promise.race([
        exited,
        waitFor(
          "the 'updraft listening' log line",
          () => {
            const line = output.split("\n").find((l) => l.includes('"updraft listening"'));
            return line ? (JSON.parse(line) as { url: string }).url : undefined;
          },
          { timeoutMs: 60_000, everyMs: 200, details: () => output },
        ),
      ]);
      expect(new URL(listening).hostname).toBe("0.0.0.0");
      const base = listening.replace("0.0.0.0", "127.0.0.1");
      const ready = await Promise.race([
        exited,
        waitFor(
          "/readyz to answer 200",
          async () => {
            const response = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(10_000) });
            return response.status === 200 ? ((await response.json()) as unknown) : undefined;
          },
          { timeoutMs: 120_000, everyMs: 250, details: () => output },
        ),
      ]);
      expect(ready).toEqual({ status: "ready" });
      // The CLI ran from its bundle (bin/cli-bundle.mjs), not from the tsx fallback.
      expect(output).not.toContain("running the TypeScript sources through tsx");
      const listed = (await (await fetch(`${base}/api/dags`)).json()) as Array<{ id: string }>;
      expect(listed.map((dag) => dag.id)).toContain("node_jobs");
      // /readyz answers once the first load is done; the first state write follows it.
      await waitFor(
        "state.json in the state dir",
        () => stat(path.join(work, "state", "state.json")).catch(() => undefined),
        { timeoutMs: 30_000, everyMs: 100, details: () => output },
      );
    },
  );
});
