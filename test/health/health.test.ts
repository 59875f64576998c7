import { describe, expect, it } from "vitest";
import { DagRegistry } from "../../src/dags/dag-registry.ts";
import { dagSchema } from "../../src/dags/spec/dag-schema.ts";
import { Heartbeat } from "../../src/health/heartbeat.ts";
import type { AppDeps, HealthReport } from "../../src/server/app-deps.ts";
import { createApp } from "../../src/server/app.ts";
import { SecretMask } from "../../src/secrets/secret-mask.ts";

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("Heartbeat", () => {
  it("is alive up to its deadline and stalled after it, with a message naming the loop", () => {
    const clock = manualClock();
    const beat = new Heartbeat("the scheduler loop", 30_000, clock.now);
    expect(beat.stalledFor()).toBeUndefined();
    clock.advance(30_000);
    expect(beat.stalledFor()).toBeUndefined();
    clock.advance(1);
    expect(beat.stalledFor()).toBe("the scheduler loop has not made progress for 30s (deadline 30s)");
    clock.advance(44_999);
    expect(beat.stalledFor()).toBe("the scheduler loop has not made progress for 75s (deadline 30s)");
  });

  it("is alive again after a beat", () => {
    const clock = manualClock();
    const beat = new Heartbeat("the scheduler loop", 30_000, clock.now);
    clock.advance(90_000);
    expect(beat.stalledFor()).toBeDefined();
    beat.beat();
    expect(beat.stalledFor()).toBeUndefined();
    clock.advance(30_001);
    expect(beat.stalledFor()).toBe("the scheduler loop has not made progress for 30s (deadline 30s)");
  });
});

/** A dependency the health routes must not touch: any use throws. */
function unused<T>(name: string): T {
  return new Proxy({} as object, {
    get: (_target, property) => {
      throw new Error(`the health routes used ${name}.${String(property)}`);
    },
  }) as T;
}

/** The HTTP app with the health report of one heartbeat, as the daemon builds it, and nothing else real. */
function healthApp(options: { standbyIn?: "git" | "folder" } = {}) {
  const clock = manualClock();
  const beat = new Heartbeat("the scheduler loop", 30_000, clock.now);
  const registry = new DagRegistry();
  const health = (): HealthReport => {
    const detail = beat.stalledFor();
    return detail
      ? { ok: false, reason: detail, checks: { scheduler: { ok: false, detail } } }
      : { ok: true, checks: { scheduler: { ok: true } } };
  };
  const deps: AppDeps = {
    registry,
    source: options.standbyIn
      ? ({ status: () => ({ mode: options.standbyIn }) } as unknown as AppDeps["source"])
      : unused("source"),
    scheduler: unused("scheduler"),
    mask: new SecretMask(),
    store: unused("store"),
    syncHistory: () => [],
    health,
    auth: { apiToken: undefined, listensOnLoopback: true },
    webhookSecret: undefined,
    followedBranch: () => undefined,
    version: "0.0.0-test",
    ...(options.standbyIn
      ? { leadership: () => ({ enabled: true, isLeader: false, identity: "b", holder: "a" }) }
      : {}),
  };
  const app = createApp(deps);
  const get = async (path: string) => {
    const response = await app.request(path);
    return { status: response.status, body: await response.json() };
  };
  return { clock, registry, get };
}

describe("GET /healthz", () => {
  it("answers 200 while the scheduler loop is alive", async () => {
    const { get } = healthApp();
    expect(await get("/healthz")).toEqual({
      status: 200,
      body: { status: "ok", ok: true, checks: { scheduler: { ok: true } } },
    });
  });

  it("answers 503 with the reason once the scheduler loop has stalled", async () => {
    const { clock, get } = healthApp();
    clock.advance(45_000);
    const reason = "the scheduler loop has not made progress for 45s (deadline 30s)";
    expect(await get("/healthz")).toEqual({
      status: 503,
      body: { status: "unhealthy", ok: false, reason, checks: { scheduler: { ok: false, detail: reason } } },
    });
  });
});

describe("GET /readyz", () => {
  it("answers 503 before the first DAG load and 200 once one was applied", async () => {
    const { registry, get } = healthApp();
    expect(await get("/readyz")).toEqual({
      status: 503,
      body: { status: "not ready", reason: "the first DAG load has not finished" },
    });

    applyOneDag(registry);
    expect(await get("/readyz")).toEqual({ status: 200, body: { status: "ready" } });
  });

  it("a git-mode standby (it does not sync until it leads) is ready at once", async () => {
    const { get } = healthApp({ standbyIn: "git" });
    expect(await get("/readyz")).toEqual({ status: 200, body: { status: "ready", role: "standby" } });
  });

  it("a folder-mode standby (it loads like a leader) is ready once it has loaded", async () => {
    const { registry, get } = healthApp({ standbyIn: "folder" });
    expect(await get("/readyz")).toEqual({
      status: 503,
      body: { status: "not ready", reason: "the first DAG load has not finished", role: "standby" },
    });
    applyOneDag(registry);
    expect(await get("/readyz")).toEqual({ status: 200, body: { status: "ready", role: "standby" } });
  });
});

function applyOneDag(registry: DagRegistry): void {
  const definition = dagSchema.parse({
    kind: "dag",
    id: "ready",
    schedule: null,
    tasks: [{ kind: "pod", id: "only", image: "busybox:1.36" }],
  });
  registry.apply(
    {
      root: "/x",
      dags: [{ dag: definition, file: "ready.ts", line: 1 }],
      errors: [],
      modules: new Map(),
      scans: new Map(),
    },
    { commit: null, snapshot: "/x", prefix: "" },
  );
}
