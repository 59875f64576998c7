import { type MockInstance, vi } from "vitest";
import type { DagSource } from "../../src/sync/sync-status.ts";
import type { Cleanup } from "./cleanup.ts";
import { type ApiResponse, startTestDaemon } from "./test-daemon.ts";

/** The HTTP app of a daemon that was wired but never started, its DAG source's syncNow a spy. */
export interface UnstartedApp {
  /** `app.request()`: no port, no sync. */
  request(path: string, init?: RequestInit): Promise<{ status: number; body: ApiResponse["body"] }>;
  syncNow: MockInstance<DagSource["syncNow"]>;
}

/**
 * Apps of daemons wired as `updraft run --repo <unused> <args>` would wire them, one per set of
 * flags and shared by the tests that ask for the same flags (wiring one costs a loader process).
 */
export class UnstartedApps {
  readonly #cleanup: Cleanup;
  readonly #apps = new Map<string, Promise<UnstartedApp>>();

  constructor(cleanup: Cleanup) {
    this.#cleanup = cleanup;
  }

  get(args: readonly string[]): Promise<UnstartedApp> {
    const key = args.join("\0");
    let app = this.#apps.get(key);
    if (!app) {
      app = this.#wire(args);
      this.#apps.set(key, app);
    }
    return app;
  }

  /** Forgets the spies' calls (run before each test). */
  async clearCalls(): Promise<void> {
    for (const app of this.#apps.values()) (await app).syncNow.mockClear();
  }

  async #wire(args: readonly string[]): Promise<UnstartedApp> {
    const repo = await this.#cleanup.tempDir("unused-repo");
    const { daemon } = await startTestDaemon(this.#cleanup, ["--repo", repo, ...args], { start: false });
    const syncNow = vi.spyOn(daemon.source, "syncNow").mockResolvedValue(undefined);
    return {
      syncNow,
      async request(path, init) {
        const response = await daemon.app.request(path, init);
        const body: ApiResponse["body"] = await response.json();
        return { status: response.status, body };
      },
    };
  }
}
