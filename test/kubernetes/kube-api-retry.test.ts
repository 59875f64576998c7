/** withRetry / isTransient: the API blinking is retried with backoff; a refusal about the request is not. */
import { ApiException } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isTransient, statusOf, withRetry } from "../../src/kubernetes/kube-api.ts";

/** An error as the generated client throws it, with a Kubernetes Status body. */
function apiError(code: number, reason: string, message: string): ApiException<string> {
  const body = JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code });
  return new ApiException(code, `HTTP-Code: ${code}`, body, { "content-type": "application/json" });
}

/** node-fetch's error for a refused connection (what the client surfaces for network failures). */
function networkError(): Error {
  return Object.assign(
    new Error(
      "request to https://10.96.0.1:443/api/v1/namespaces/jobs/pods failed, reason: connect ECONNREFUSED",
    ),
    { name: "FetchError", type: "system", code: "ECONNREFUSED", errno: "ECONNREFUSED" },
  );
}

const TRANSIENT: Array<[string, unknown]> = [
  [
    "500 InternalError",
    apiError(500, "InternalError", "Internal error occurred: etcdserver: request timed out"),
  ],
  ["502 Bad Gateway", apiError(502, "", "bad gateway")],
  [
    "503 ServiceUnavailable",
    apiError(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
  ],
  [
    "504 Timeout",
    apiError(504, "Timeout", "the server was unable to return a response in the time allotted"),
  ],
  ["429 TooManyRequests", apiError(429, "TooManyRequests", "the server has received too many requests")],
  ["a refused connection", networkError()],
  ["a reset socket", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
  [
    "a timeout",
    Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" }),
  ],
];

const PERMANENT: Array<[string, ApiException<string>]> = [
  ["400 BadRequest", apiError(400, "BadRequest", 'container "base" in pod "p" is waiting to start')],
  ["401 Unauthorized", apiError(401, "Unauthorized", "Unauthorized")],
  [
    "403 Forbidden",
    apiError(
      403,
      "Forbidden",
      'pods is forbidden: User "system:serviceaccount:updraft:updraft" cannot create resource "pods"',
    ),
  ],
  ["404 NotFound", apiError(404, "NotFound", 'pods "node-jobs-test-task-44b3621b-1" not found')],
  [
    "409 AlreadyExists",
    apiError(409, "AlreadyExists", 'pods "node-jobs-test-task-44b3621b-1" already exists'),
  ],
  ["410 Gone", apiError(410, "Expired", "too old resource version: 100 (200)")],
  ["422 Invalid", apiError(422, "Invalid", 'Pod "x" is invalid: spec.containers[0].image: Required value')],
  [
    "403 Pod Security Admission",
    apiError(
      403,
      "Forbidden",
      'pods "p" is forbidden: violates PodSecurity "restricted:latest": runAsNonRoot != true (pod or container "base" must set securityContext.runAsNonRoot=true)',
    ),
  ],
  [
    "a webhook denial answered 400",
    apiError(
      400,
      "BadRequest",
      'admission webhook "validation.gatekeeper.sh" denied the request: [owner] needs a label',
    ),
  ],
  [
    "a webhook denial the webhook answered 500",
    apiError(
      500,
      "InternalError",
      'admission webhook "policy.example.com" denied the request: image not signed',
    ),
  ],
  [
    "a webhook denial the webhook answered 429",
    apiError(
      429,
      "TooManyRequests",
      'admission webhook "quota.example.com" denied the request: team quota spent',
    ),
  ],
];

describe("isTransient and statusOf", () => {
  it.each(TRANSIENT)("%s is transient", (_what, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each(PERMANENT)("%s is not transient", (_what, error) => {
    expect(isTransient(error)).toBe(false);
  });

  it("reads the HTTP status of client errors only", () => {
    expect(statusOf(apiError(409, "AlreadyExists", "exists"))).toBe(409);
    expect(statusOf(networkError())).toBeUndefined();
    expect(statusOf("boom")).toBeUndefined();
  });
});

/**
 * The outcome of a promise, read without awaiting it: with fake timers, awaiting a retry that
 * waits on a timer nobody advances would hang the test instead of failing it.
 */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; ok?: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, ok: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, ok: false, error }),
  );
  return state;
}

describe("withRetry", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  /** A call that fails with `errors` in turn, then returns "ok"; counts its calls. */
  function flaky(errors: unknown[]) {
    const call = vi.fn(async () => {
      const error = errors[call.mock.calls.length - 1];
      if (error !== undefined) throw error;
      return "ok";
    });
    return call;
  }

  it.each(TRANSIENT)("retries %s and returns the later success", async (_what, error) => {
    const call = flaky([error, error]);
    const onRetry = vi.fn();
    const result = track(withRetry(call, { baseMs: 100, onRetry }));
    await vi.advanceTimersByTimeAsync(300);
    expect(result).toStrictEqual({ settled: true, ok: true, value: "ok" });
    expect(call).toHaveBeenCalledTimes(3);
    expect(onRetry.mock.calls).toEqual([[error], [error]]);
  });

  it.each(PERMANENT)("does not retry %s: the same error, at once", async (_what, error) => {
    const call = flaky([error]);
    const onRetry = vi.fn();
    const result = track(withRetry(call, { baseMs: 100, onRetry }));
    await vi.advanceTimersByTimeAsync(0);
    expect(result).toStrictEqual({ settled: true, ok: false, error });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it("backs off exponentially from baseMs: 100, 200, 400 ms", async () => {
    const unavailable = apiError(503, "ServiceUnavailable", "unavailable");
    const call = flaky([unavailable, unavailable, unavailable]);
    const result = track(withRetry(call, { baseMs: 100 }));
    const callsAt = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return call.mock.calls.length;
    };
    expect(await callsAt(0)).toBe(1);
    expect(await callsAt(99)).toBe(1);
    expect(await callsAt(1)).toBe(2); // t = 100
    expect(await callsAt(199)).toBe(2);
    expect(await callsAt(1)).toBe(3); // t = 300
    expect(await callsAt(399)).toBe(3);
    expect(result.settled).toBe(false);
    expect(await callsAt(1)).toBe(4); // t = 700
    expect(result).toStrictEqual({ settled: true, ok: true, value: "ok" });
  });

  it("caps the delay at 10 s", async () => {
    const unavailable = apiError(503, "ServiceUnavailable", "unavailable");
    const call = flaky([unavailable, unavailable, unavailable, unavailable]);
    const result = track(withRetry(call, { baseMs: 4_000, attempts: 5 }));
    await vi.advanceTimersByTimeAsync(4_000 + 8_000); // 4 s, then 8 s
    expect(call).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(9_999); // would be 16 s uncapped
    expect(call).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(call).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(call).toHaveBeenCalledTimes(5);
    expect(result).toStrictEqual({ settled: true, ok: true, value: "ok" });
  });

  it("gives up after `attempts` calls with the last error", async () => {
    const errors = [1, 2, 3].map((n) => apiError(503, "ServiceUnavailable", `unavailable #${n}`));
    const call = flaky([...errors, apiError(503, "ServiceUnavailable", "never asked")]);
    const onRetry = vi.fn();
    const result = track(withRetry(call, { attempts: 3, baseMs: 100, onRetry }));
    await vi.advanceTimersByTimeAsync(300); // 100 + 200
    expect(result).toStrictEqual({ settled: true, ok: false, error: errors[2] });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call).toHaveBeenCalledTimes(3);
    expect(onRetry.mock.calls).toEqual([[errors[0]], [errors[1]]]);
  });

  it("makes 6 attempts by default, 200 ms apart at first", async () => {
    const refused = networkError();
    const call = vi.fn(async () => {
      throw refused;
    });
    const result = track(withRetry(call));
    await vi.advanceTimersByTimeAsync(199);
    expect(call).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(call).toHaveBeenCalledTimes(2);
    // 200 + 400 + 800 + 1600 + 3200 = 6200 ms until the 6th call, which is the last.
    await vi.advanceTimersByTimeAsync(5_999);
    expect(call).toHaveBeenCalledTimes(5);
    await vi.advanceTimersByTimeAsync(1);
    expect(call).toHaveBeenCalledTimes(6);
    expect(result).toStrictEqual({ settled: true, ok: false, error: refused });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call).toHaveBeenCalledTimes(6);
  });

  it("stops retrying when a transient error turns into a permanent one", async () => {
    const conflict = apiError(409, "AlreadyExists", "exists");
    const call = flaky([apiError(500, "InternalError", "blip"), conflict]);
    const result = track(withRetry(call, { baseMs: 100 }));
    await vi.advanceTimersByTimeAsync(100);
    expect(result).toStrictEqual({ settled: true, ok: false, error: conflict });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(call).toHaveBeenCalledTimes(2);
  });
});
