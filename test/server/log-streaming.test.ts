// Point 5 of issue 11: a task's log is served in bounded pieces (?offset, ?limit), every line
// masked, long lines cut; the page shows a tail with a way to load earlier parts.
import { writeFile } from "node:fs/promises";
import { beforeAll, describe, expect, it } from "vitest";
import { API_TOKEN, useApiDaemon, WEBHOOK_SECRET } from "./support/api-daemon.ts";

const api = useApiDaemon();
let runId: string;
let logFile: string;
beforeAll(async () => {
  runId = await api.runToEnd("ok_dag");
  const run = api.test.daemon.store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is gone`);
  logFile = api.test.daemon.scheduler.logFile(run, "say", 1);
}, 60_000);

const logUrl = (query = "") => `/api/runs/${runId}/tasks/say/logs?try=1${query}`;

async function getBytes(url: string): Promise<{ status: number; bytes: Buffer; next: string | null }> {
  const response = await api.test.daemon.app.request(url);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, bytes, next: response.headers.get("x-log-next-offset") };
}

/** `count` numbered lines of about 100 bytes. */
function numberedLines(count: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`line ${String(i).padStart(8, "0")} ${"-".repeat(84)}\n`);
  return Buffer.from(lines.join(""));
}

describe("GET /api/runs/:runId/tasks/:taskId/logs in pieces", () => {
  it("serves a 6 MB log whole, and in ?limit pieces that end at line ends and follow on via X-Log-Next-Offset", async () => {
    const log = numberedLines(60_000);
    await writeFile(logFile, log);
    const whole = await getBytes(logUrl());
    expect(whole.status).toBe(200);
    expect(whole.bytes.equals(log)).toBe(true);
    expect(whole.next).toBe(String(log.length));

    const limit = 1024 * 1024;
    const pieces: Buffer[] = [];
    let offset = 0;
    while (offset < log.length) {
      const piece = await getBytes(logUrl(`&offset=${offset}&limit=${limit}`));
      expect(piece.status).toBe(200);
      expect(piece.bytes.length).toBeGreaterThan(0);
      expect(piece.bytes.length).toBeLessThanOrEqual(limit);
      // Unmasked text: a piece is exactly the file's bytes from the offset.
      expect(piece.bytes.equals(log.subarray(offset, offset + piece.bytes.length))).toBe(true);
      expect(piece.bytes.at(-1)).toBe(0x0a);
      expect(Number(piece.next)).toBe(offset + piece.bytes.length);
      pieces.push(piece.bytes);
      offset = Number(piece.next);
    }
    expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(log.length / limit));
    expect(Buffer.concat(pieces).equals(log)).toBe(true);
    // An offset keeps its meaning: the bytes after it (here mid-line, without secrets), up to the
    // last line end within the limit.
    expect((await getBytes(logUrl("&offset=150&limit=80"))).bytes.toString()).toBe(
      log.subarray(150, log.lastIndexOf("\n", 150 + 80 - 1) + 1).toString(),
    );
    expect((await getBytes(logUrl(`&offset=${log.length + 10}`))).bytes.length).toBe(0);
  });

  it("refuses a limit that is not a whole number ≥ 1 with a 400 JSON error", async () => {
    for (const limit of ["0", "-5", "abc", "1.5"]) {
      const response = await api.call("GET", logUrl(`&limit=${limit}`));
      expect(response.status, limit).toBe(400);
      expect(response.body.error.message).toContain("limit");
    }
  });

  it("masks every secret in the log, also where it straddles a read-chunk boundary or a piece's offset", async () => {
    const filler = numberedLines(40_000);
    const parts: Buffer[] = [];
    let written = 0;
    const positions: number[] = [];
    // A secret across each power-of-two boundary from 16 KiB to 2 MiB.
    for (let boundary = 16 * 1024; boundary <= 2 * 1024 * 1024; boundary *= 2) {
      const secret = boundary % (64 * 1024) === 0 ? WEBHOOK_SECRET : API_TOKEN;
      const start = boundary - 7;
      parts.push(filler.subarray(written, start));
      positions.push(start);
      parts.push(Buffer.from(secret));
      written = start + secret.length;
    }
    parts.push(filler.subarray(written));
    const log = Buffer.concat(parts);
    await writeFile(logFile, log);

    const whole = (await getBytes(logUrl())).bytes.toString();
    expect(whole).not.toContain(WEBHOOK_SECRET);
    expect(whole).not.toContain(API_TOKEN);
    expect(whole.split("***").length - 1).toBe(positions.length);

    for (const limit of [4096, 65_536, 300_000]) {
      let offset = 0;
      const text: string[] = [];
      while (offset < log.length) {
        const piece = await getBytes(logUrl(`&offset=${offset}&limit=${limit}`));
        text.push(piece.bytes.toString());
        offset = Number(piece.next);
      }
      const joined = text.join("");
      expect(joined, `limit ${limit}`).not.toContain(WEBHOOK_SECRET.slice(0, 12));
      expect(joined, `limit ${limit}`).not.toContain(API_TOKEN.slice(0, 12));
    }
    // An offset inside a secret must not reveal the rest of it.
    const inside = (await getBytes(logUrl(`&offset=${(positions[0] ?? 0) + 3}&limit=2000`))).bytes.toString();
    expect(inside).not.toContain(API_TOKEN.slice(3, 15));
  });

  it("cuts a line over 1 MiB, marking the cut, and serves what follows", async () => {
    const log = Buffer.concat([
      Buffer.from("before\n"),
      Buffer.alloc(3 * 1024 * 1024, "z"),
      Buffer.from(`${API_TOKEN}\nafter\n`),
    ]);
    await writeFile(logFile, log);
    const served = (await getBytes(logUrl())).bytes.toString();
    expect(served.startsWith("before\nzzzz")).toBe(true);
    expect(served.length).toBeLessThan(1024 * 1024 + 200);
    expect(served).toMatch(/\[line cut: \d+ bytes not shown\]\nafter\n$/);
    expect(served).not.toContain(API_TOKEN);
  });

  it("serves a line of exactly 1 MiB whole, with no cut marker", async () => {
    const line = "y".repeat(1024 * 1024);
    await writeFile(logFile, `before\n${line}\nafter\n`);
    const served = (await getBytes(logUrl())).bytes.toString();
    expect(served).toBe(`before\n${line}\nafter\n`);
  });
});

describe("GET /runs/:runId/tasks/:taskId/logs (page)", () => {
  it("shows the log's last 256 KiB from a line start, with a link to the part before", async () => {
    const log = numberedLines(10_000);
    await writeFile(logFile, log);
    const html = await (await api.test.daemon.app.request(`/runs/${runId}/tasks/say/logs?try=1`)).text();
    expect(html).toContain("line 00009999");
    expect(html).not.toContain("line 00000000 ");
    const shown = html.match(/line \d{8} /g) ?? [];
    expect(shown.length).toBeGreaterThan(2000);
    expect(shown.length).toBeLessThanOrEqual(Math.ceil((256 * 1024) / (log.length / 10_000)));
    const earlier = html.match(/href="([^"]*logs\?try=1&amp;end=(\d+))"/);
    expect(earlier, "a link to the earlier part").not.toBeNull();
    const end = Number(earlier?.[2]);
    expect(log.subarray(end - 1, end).toString()).toBe("\n");
    const before = await (
      await api.test.daemon.app.request(`/runs/${runId}/tasks/say/logs?try=1&end=${end}`)
    ).text();
    const firstShown = shown[0]?.trim();
    const previousLine = `line ${String(Number(firstShown?.slice(5)) - 1).padStart(8, "0")}`;
    expect(before).toContain(previousLine);
    expect(before).not.toContain(`${firstShown} `);
  });
});
