/**
 * Seeded fuzzing of a real daemon on 127.0.0.1 (issue #11, point 1): odd methods, Object.prototype
 * names and `..` in every id position, broken percent-encoding, huge headers, deep JSON, wrong
 * content types, bodies that are not JSON, and raw garbage on the socket. No answer may be a 5xx,
 * nothing may leak onto Object.prototype, and the daemon must still serve normal requests after.
 * A failure prints its seed: UPDRAFT_FUZZ_SEED=<seed> npx vitest run test/server/request-fuzz.test.ts
 */
import { beforeAll, expect, it } from "vitest";
import { useCleanup } from "../support/use-cleanup.ts";
import { writeFiles } from "../support/dag-folders.ts";
import { waitForReady } from "../support/ready-daemon.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";
import { waitFor } from "../support/wait-for.ts";
import { closeHttpAgent, httpExchange, type RawAnswer, rawExchange } from "./support/raw-http.ts";

const REQUESTS = 1200;
const WORKERS = 8;
const WEBHOOK_SECRET = "fuzz-webhook-secret-0123456789";
const SEED = Number(process.env.UPDRAFT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const DAGS: Record<string, string> = {
  "fuzz.ts": `import { dag, pod } from "updraft";
export default dag({ id: "fuzz_dag", schedule: null, tasks: [
  pod({ id: "work", image: "busybox:1.36", command: ["true"] }),
  pod({ id: "__proto__", image: "busybox:1.36", dependsOn: ["work"], command: ["true"] }),
] });
`,
  "paused.ts": `import { dag, pod } from "updraft";
export default dag({ id: "paused_dag", schedule: "@daily", pausedOnCreation: true, tasks: [
  pod({ id: "main", image: "busybox:1.36", command: ["true"] }),
] });
`,
  "constructor.ts": `import { dag, pod } from "updraft";
export default dag({ id: "constructor", schedule: null, tasks: [
  pod({ id: "constructor", image: "busybox:1.36", command: ["true"] }),
] });
`,
  "broken.ts": `import { dag } from "updraft";
throw new Error("broken on purpose");
`,
};

/** mulberry32: a small PRNG, so a seed names the whole request sequence. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cleanup = useCleanup("file");
let daemon: TestDaemon;
let port: number;
let runId: string;

beforeAll(async () => {
  const dir = await cleanup.tempDir("fuzz-dags");
  await writeFiles(dir, DAGS);
  daemon = await startTestDaemon(cleanup, ["--dags", dir, "--webhook-secret", WEBHOOK_SECRET]);
  cleanup.defer(() => closeHttpAgent());
  port = Number(new URL(daemon.url).port);
  await waitForReady(daemon);
  runId = await runToEnd("fuzz_dag");
}, 60_000);

async function runToEnd(dagId: string): Promise<string> {
  const triggered = await daemon.request(`/api/dags/${dagId}/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  if (triggered.status !== 201) throw new Error(`trigger ${dagId}: ${triggered.status} ${triggered.text}`);
  const id: string = triggered.body.runId;
  await waitFor(`run ${id} to finish`, async () => {
    const run = await daemon.request(`/api/runs/${id}`);
    return run.body?.state === "success" || run.body?.state === "failed" ? true : undefined;
  });
  return id;
}

/** One fuzz case: a request through node:http, or bytes written on a socket. */
type Case =
  | { kind: "http"; method: string; path: string; headers: Record<string, string>; body?: Buffer | string }
  | { kind: "raw"; bytes: Buffer };

function describeCase(c: Case): string {
  if (c.kind === "raw") return `raw ${JSON.stringify(c.bytes.subarray(0, 120).toString("latin1"))}`;
  const body = c.body === undefined ? "" : ` body=${JSON.stringify(String(c.body).slice(0, 80))}`;
  return `${c.method} ${c.path.slice(0, 160)} ${JSON.stringify(c.headers).slice(0, 160)}${body}`;
}

function generate(seed: number, count: number, known: { runId: string }): Case[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number) => random() < p;
  const prototypeNames = [
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "__defineGetter__",
    "__lookupSetter__",
    "prototype",
  ];
  const pathy = [
    "..",
    ".",
    "...",
    "%2e%2e",
    "%2E%2E",
    "%2e",
    "..%2F..",
    "..%2f..%2fetc%2fpasswd",
    "..%5C..",
    "a%2Fb",
    "%00",
    "%",
    "%zz",
    "%E0%A4%A",
    "%C3%28",
    "%F0%9F%92%A5",
    "%ff%fe",
    "%25",
    "%u002e",
    "a;b",
    "a:b",
    "~",
    "x".repeat(5000),
  ];
  const valid = ["fuzz_dag", "paused_dag", "constructor", "work", "__proto__", known.runId];
  const id = () => (chance(0.4) ? pick(prototypeNames) : chance(0.6) ? pick(pathy) : pick(valid));
  const routes = [
    "/api/dags/{}",
    "/api/dags/{}/runs",
    "/api/dags/{}/pause",
    "/api/dags/{}/unpause",
    "/api/runs/{}",
    "/api/runs/{}/tasks/{}/logs",
    "/api/runs/{}/tasks/{}/clear",
    "/api/runs/{}/retry-failed",
    "/dags/{}",
    "/runs/{}",
    "/runs/{}/tasks/{}/logs",
    "/api/{}",
    "/{}",
    "/{}/{}/{}",
    "/api/status",
    "/api/dags",
    "/api/import-errors",
    "/api/syncs",
    "/api/sync",
    "/api/runs",
    "/webhooks/github",
    "/metrics",
    "/healthz",
    "/readyz",
    "/",
  ];
  const queryValues = [
    ...prototypeNames,
    "-1",
    "0",
    "1",
    "1e3",
    "99999999999999999999",
    "NaN",
    "0x10",
    "%ff",
    "%",
    "",
    "2026-01-01T00:00:00Z",
    "9999-99-99T99:99:99Z",
    known.runId,
    "..",
  ];
  const query = () => {
    if (chance(0.6)) return "";
    const parts: string[] = [];
    const n = 1 + Math.floor(random() * 3);
    for (let i = 0; i < n; i++)
      parts.push(
        `${pick(["try", "offset", "limit", "before", "__proto__", "constructor"])}=${pick(queryValues)}`,
      );
    return `?${parts.join("&")}`;
  };
  const deep = (depth: number, open: string, close: string, inner = "1") =>
    `${open.repeat(depth)}${inner}${close.repeat(depth)}`;
  const bodies = (): Buffer | string => {
    const depth = pick([10, 100, 1000, 5000, 20_000, 150_000]);
    return pick<() => Buffer | string>([
      () => "",
      () => "{}",
      () => '{"conf":{}}',
      () => '{"conf":{"__proto__":{"polluted":1}}}',
      () => '{"__proto__":{"polluted":1}}',
      () => '{"conf":{"constructor":{"prototype":{"polluted":1}}}}',
      () => '{"conf":{"toString":"x","valueOf":1,"hasOwnProperty":null}}',
      () => `{"conf":${deep(depth, '{"a":', "}")}}`,
      () => `{"conf":{"a":${deep(depth, "[", "]")}}}`,
      () => `{"conf":{"x":1,"y":${deep(depth, '{"a":[', "]}")}}}`,
      () => `{"conf":${deep(depth, '{"__proto__":', "}")}}`,
      () => deep(depth, "[", "]"),
      () => `{"conf":${deep(depth, '{"a":', "")}`,
      () => "not json",
      () => "\u0000",
      () => '{"conf":',
      () => '{"conf":[1,2]}',
      () => '{"conf":"{}"}',
      () => '{"state":"success"}',
      () => `{"conf":{"big":"${"x".repeat(pick([1000, 100_000, 1_100_000]))}"}}`,
      () =>
        Buffer.from(Array.from({ length: 1 + Math.floor(random() * 512) }, () => Math.floor(random() * 256))),
      () => "\ufeff{}",
      () => '{"ref":"refs/heads/main","repository":{"default_branch":"main"}}',
    ])();
  };
  const contentTypes = [
    "application/json",
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
    "application/json; charset=constructor",
    "application/octet-stream",
    "*/*",
    "",
  ];
  const methods = [
    "GET",
    "GET",
    "GET",
    "POST",
    "POST",
    "HEAD",
    "PUT",
    "DELETE",
    "PATCH",
    "OPTIONS",
    "FOO",
    "PROPFIND",
  ];

  const httpCase = (): Case => {
    const method = pick(methods);
    // Half the writes go to routes that exist with ids that exist, so their bodies are read.
    const route =
      method === "POST" && chance(0.5)
        ? pick([
            "/api/dags/fuzz_dag/runs",
            "/api/dags/constructor/runs",
            `/api/runs/${known.runId}/tasks/__proto__/clear`,
            "/webhooks/github",
          ])
        : pick(routes).replace(/\{\}/g, () => id());
    const headers: Record<string, string> = {};
    let body: Buffer | string | undefined;
    if (method !== "GET" && method !== "HEAD" && chance(0.85)) {
      body = bodies();
      const type = pick(contentTypes);
      if (type) headers["content-type"] = type;
    }
    if (chance(0.1)) headers["x-big"] = "a".repeat(pick([1000, 8000, 20_000, 70_000]));
    if (chance(0.05)) for (let i = 0; i < 150; i++) headers[`x-h${i}`] = String(i);
    if (chance(0.15))
      headers.authorization = pick([
        "Bearer ",
        "Bearer constructor",
        "Basic Og==",
        "Bearer " + "x".repeat(3000),
        "\u00ff",
      ]);
    if (chance(0.15))
      headers["x-hub-signature-256"] = pick([
        "sha256=",
        "sha256=zz",
        `sha256=${"0".repeat(64)}`,
        "constructor",
        "sha1=abc",
      ]);
    if (chance(0.15)) headers["x-github-event"] = pick(["push", "ping", "constructor", "__proto__", ""]);
    if (chance(0.05)) headers.accept = pick(["text/html", "application/json", "*/*;q=constructor"]);
    if (chance(0.05)) headers.origin = pick(["null", "http://evil.example", "constructor"]);
    return { kind: "http", method, path: route + query(), headers, body };
  };

  const rawCase = (): Case => {
    const host = `Host: 127.0.0.1:${port}\r\n`;
    const line = (text: string) => Buffer.from(text, "latin1");
    const pathWithBadChars = pick(routes).replace(/\{\}/g, () =>
      pick(["a b", "\u0001", "..\\..", "../..", "..", "\u00ff\u00fe", "constructor", "%", "\t", "a\u007fb"]),
    );
    return {
      kind: "raw",
      bytes: pick<() => Buffer>([
        () => line(`GET ${pathWithBadChars} HTTP/1.1\r\n${host}Connection: close\r\n\r\n`),
        () => line(`GET /api/runs/constructor/tasks/../logs HTTP/1.1\r\n${host}Connection: close\r\n\r\n`),
        () =>
          line(
            `GET /api/runs/${known.runId}/tasks/../../../../etc/passwd HTTP/1.1\r\n${host}Connection: close\r\n\r\n`,
          ),
        () => line(`GET http://evil.example/api/dags HTTP/1.1\r\n${host}Connection: close\r\n\r\n`),
        () => line(`GET * HTTP/1.1\r\n${host}Connection: close\r\n\r\n`),
        () => line(`OPTIONS * HTTP/1.1\r\n${host}Connection: close\r\n\r\n`),
        () => line(`GET / HTTP/9.9\r\n${host}\r\n`),
        () => line("HELLO\r\n\r\n"),
        () => line(`GET /api/dags HTTP/1.1\r\nNo-Colon-Here\r\n${host}Connection: close\r\n\r\n`),
        () =>
          line(
            `GET /api/dags HTTP/1.1\r\n${host}X-Long: ${"a".repeat(100_000)}\r\nConnection: close\r\n\r\n`,
          ),
        () =>
          line(
            `POST /api/dags/fuzz_dag/runs HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
          ),
        () =>
          line(
            `POST /api/dags/fuzz_dag/runs HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{"conf":`,
          ),
        () =>
          line(
            `POST /api/dags/fuzz_dag/runs HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
          ),
        () =>
          line(
            `POST /api/dags/paused_dag/runs HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: -1\r\nConnection: close\r\n\r\n{}`,
          ),
        () =>
          line(
            `GET /api/dags HTTP/1.1\r\n${host}Content-Length: 1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab`,
          ),
        () => line(`GET /%%%%/%2e%2e/%zz HTTP/1.0\r\n\r\n`),
        () =>
          Buffer.from(
            Array.from({ length: 1 + Math.floor(random() * 2048) }, () => Math.floor(random() * 256)),
          ),
        () => line(`\r\n\r\n\r\n`),
        () =>
          line(
            `GET /healthz HTTP/1.1\r\n${host}Connection: close\r\n\r\n`.slice(0, Math.floor(random() * 40)),
          ),
      ])(),
    };
  };

  return Array.from({ length: count }, () => (chance(0.8) ? httpCase() : rawCase()));
}

it(`answers ${REQUESTS} malformed requests without a 5xx and stays up`, async () => {
  console.log(
    `request-fuzz seed=${SEED} (rerun: UPDRAFT_FUZZ_SEED=${SEED} npx vitest run test/server/request-fuzz.test.ts)`,
  );
  const cases = generate(SEED, REQUESTS, { runId });
  const serverErrors: string[] = [];
  const statuses = new Map<string, number>();
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < cases.length; index = next++) {
      const fuzz = cases[index] as Case;
      let answer: RawAnswer;
      try {
        answer =
          fuzz.kind === "raw"
            ? await rawExchange(port, fuzz.bytes)
            : await httpExchange(port, {
                method: fuzz.method,
                path: fuzz.path,
                headers: fuzz.headers,
                body: fuzz.body,
              });
      } catch (error) {
        // The server may close on a request it refuses before reading all of it (a reset).
        answer = { status: null, head: String(error) };
      }
      const bucket = answer.status === null ? "none" : `${Math.floor(answer.status / 100)}xx`;
      statuses.set(bucket, (statuses.get(bucket) ?? 0) + 1);
      if (answer.status !== null && answer.status >= 500)
        serverErrors.push(`#${index} ${describeCase(fuzz)} → ${answer.status} ${answer.head}`);
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  console.log(`request-fuzz seed=${SEED} answers: ${JSON.stringify(Object.fromEntries(statuses))}`);

  expect(serverErrors, `seed ${SEED}: 5xx answers`).toEqual([]);
  // The daemon runs in this process: nothing a request sent may have reached Object.prototype.
  const probe: Record<string, unknown> = {};
  expect([probe.polluted, probe.x, probe.a], `seed ${SEED}: Object.prototype polluted`).toEqual([
    undefined,
    undefined,
    undefined,
  ]);
  // Still alive and working: healthy, listing, and running a normal trigger to the end.
  expect((await daemon.request("/healthz")).status, `seed ${SEED}: /healthz`).toBe(200);
  const dags = await daemon.dags();
  // (The fuzz may have paused or unpaused them.)
  expect(dags.map((d) => [d.id, typeof d.paused]).sort()).toEqual([
    ["constructor", "boolean"],
    ["fuzz_dag", "boolean"],
    ["paused_dag", "boolean"],
  ]);
  await daemon.request("/api/dags/fuzz_dag/unpause", { method: "POST" });
  const after = await runToEnd("fuzz_dag");
  expect((await daemon.request(`/api/runs/${after}`)).body.state).toBe("success");
}, 120_000);
