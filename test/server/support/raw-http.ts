import { request as httpRequest, Agent } from "node:http";
import net from "node:net";

/** What a server answered: its status (null: it closed or stayed silent) and the start of its body. */
export interface RawAnswer {
  status: number | null;
  head: string;
}

/**
 * Writes `bytes` on a fresh TCP connection and reads what comes back until the server closes, or
 * `idleMs` pass without a byte (an incomplete request gets no answer; that is not a failure).
 */
export function rawExchange(port: number, bytes: Buffer, idleMs = 250): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).subarray(0, 2048).toString("latin1");
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: status ? Number(status[1]) : null, head: text.slice(0, 300) });
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(done, idleMs);
    };
    socket.on("connect", () => {
      // The server may close before everything is written (a refused header): that is an answer.
      socket.write(bytes, () => idle());
    });
    socket.on("data", (chunk) => {
      if (chunks.reduce((n, c) => n + c.length, 0) < 4096) chunks.push(chunk);
      idle();
    });
    socket.on("error", () => done());
    socket.on("close", () => done());
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

/** One request through node:http (any method token, raw path, any headers); the status and body start. */
export function httpExchange(
  port: number,
  request: { method: string; path: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: request.method,
        path: request.path,
        headers: request.headers,
        agent,
      },
      (res) => {
        let head = "";
        res.on("data", (chunk: Buffer) => {
          if (head.length < 300) head += chunk.toString("utf8");
        });
        res.on("end", () => resolve({ status: res.statusCode ?? null, head: head.slice(0, 300) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(request.body);
  });
}

export function closeHttpAgent(): void {
  agent.destroy();
}
