import { describe, expect, it } from "vitest";
import { runTrigger } from "../../src/cli/trigger-command.ts";
import { config, usageError } from "./run-config-helpers.ts";

describe("updraft run flags", () => {
  it("reads a flag before its UPDRAFT_ variable, and the variable before the default", () => {
    const fromEnv = config(["--dags", "dags"], { UPDRAFT_PORT: "9090", UPDRAFT_KEEP_RUNS: "7" });
    expect(fromEnv.port).toBe(9090);
    expect(fromEnv.keepRuns).toBe(7);
    expect(config(["--dags", "dags", "--port", "9191"], { UPDRAFT_PORT: "9090" }).port).toBe(9191);
    expect(config(["--dags", "dags"]).intervalMs).toBe(30_000);
  });

  it("lets a flag given empty beat its variable: the empty flag means the default, as before", () => {
    const env = { UPDRAFT_PORT: "9090", UPDRAFT_API_TOKEN: "from-env", UPDRAFT_LEADER_ELECT: "true" };
    const emptied = config(["--dags", "d", "--port", "", "--api-token", "", "--leader-elect", ""], env);
    expect(emptied.port).toBe(8080);
    expect(emptied.apiToken).toBeUndefined();
    expect(emptied.leaderElection.enabled).toBe(false);
    const inCluster = { KUBERNETES_SERVICE_HOST: "10.0.0.1", UPDRAFT_EXECUTOR: "local" };
    expect(config(["--dags", "d", "--executor", ""], inCluster).executor).toBe("kubernetes");
  });

  it("rejects bad values with a message naming the flag and the value", () => {
    expect(usageError(() => config(["--dags", "d", "--repo", "r"]))).toBe(
      "give either --repo (follow a git branch) or --dags (watch a local folder), not both",
    );
    expect(usageError(() => config([]))).toContain("give --repo <url|path> to follow a git branch");
    expect(usageError(() => config(["--dags", "d", "--interval", "soon"]))).toBe(
      '--interval: "soon" is not a duration of at least 1s (e.g. "30s", "5m")',
    );
    expect(usageError(() => config(["--dags", "d", "--port", "70000"]))).toBe(
      '--port: "70000" is not a port number (0-65535)',
    );
    expect(usageError(() => config(["--dags", "d", "--executor", "docker"]))).toBe(
      '--executor: "docker" is not one of local, kubernetes',
    );
    expect(usageError(() => config(["--dags", "d", "--keep-runs", "0"]))).toBe(
      '--keep-runs: "0" is not a whole number ≥ 1',
    );
    expect(usageError(() => config(["--dags", "d", "--notify-url", "hooks.example"]))).toBe(
      '--notify-url: "hooks.example" is not an http(s) URL',
    );
  });

  it("takes the git token from UPDRAFT_GIT_TOKEN only, and picks the executor from the environment", () => {
    const inCluster = config(["--repo", "https://example.com/r.git"], {
      UPDRAFT_GIT_TOKEN: "tok-123",
      KUBERNETES_SERVICE_HOST: "10.0.0.1",
    });
    expect(inCluster.gitToken).toBe("tok-123");
    expect(inCluster.executor).toBe("kubernetes");
    expect(config(["--dags", "d"]).executor).toBe("local");
  });
});

describe("updraft trigger", () => {
  it("refuses a conf that is not a JSON object before calling the server", async () => {
    const call = (conf: string) =>
      runTrigger(
        { dagId: "x", conf, server: "http://127.0.0.1:9", token: undefined },
        () => undefined,
        () => undefined,
      );
    await expect(call("[1]")).rejects.toThrow("--conf must be a JSON object, e.g. '{\"k\":1}'");
    await expect(call("{nope")).rejects.toThrow("--conf is not valid JSON");
  });

  it("exits 1 naming the server when the daemon cannot be reached", async () => {
    const errors: string[] = [];
    const code = await runTrigger(
      { dagId: "x", conf: undefined, server: "http://127.0.0.1:9", token: undefined },
      () => undefined,
      (text) => errors.push(text),
    );
    expect(code).toBe(1);
    expect(errors.join("")).toContain("updraft: cannot reach http://127.0.0.1:9");
  });
});
